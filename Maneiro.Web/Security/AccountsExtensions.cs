using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.Identity;
using StackExchange.Redis;

namespace Maneiro.Web.Security;

public static class AccountsExtensions
{
    public const string AdminRole = "Admin";
    public const string AdminPolicy = "Admin";

    /// <summary>Identity on PostgreSQL, session cookies, shared data-protection keys, e-mail and the audit trail.</summary>
    public static IServiceCollection AddManeiroAccounts(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        services.Configure<SecurityOptions>(configuration.GetSection(SecurityOptions.SectionName));
        var security = configuration.GetSection(SecurityOptions.SectionName).Get<SecurityOptions>() ?? new SecurityOptions();

        services.AddIdentity<ManeiroUser, IdentityRole>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.MaxFailedAccessAttempts = security.MaxFailedAccessAttempts;
                o.Lockout.DefaultLockoutTimeSpan = security.LockoutDuration;
                o.Lockout.AllowedForNewUsers = true;
                o.SignIn.RequireConfirmedEmail = true;
                o.User.RequireUniqueEmail = true;

                // Reset links live as long as their mail says; confirmation links keep the default provider's day.
                o.Tokens.PasswordResetTokenProvider = PasswordResetTokenProvider.ProviderName;
            })
            .AddEntityFrameworkStores<ManeiroDbContext>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenProvider.ProviderName)
            .AddErrorDescriber<ManeiroIdentityErrors>()
            .AddPasswordValidator<ManeiroPasswordValidator>();
        services.AddSingleton<CommonPasswords>();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = Email.AccountEmails.ConfirmationLifetime);
        services.Configure<PasswordResetTokenProviderOptions>(o => o.TokenLifespan = security.PasswordResetTokenLifetime ?? Email.AccountEmails.PasswordResetLifetime);
        services.AddSingleton<Email.PasswordDecoy>();
        services.AddSingleton<Email.AccountMail>();
        services.AddHostedService(sp => sp.GetRequiredService<Email.AccountMail>());

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "maneiro.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = environment.IsDevelopment() || environment.IsEnvironment("Testing")
                ? CookieSecurePolicy.SameAsRequest
                : CookieSecurePolicy.Always;
            o.ExpireTimeSpan = security.IdleTimeout;
            o.SlidingExpiration = true;
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            // Scripts and the hub get status codes, not a redirect to the sign-in page.
            o.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
        });
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = security.SecurityStampValidationInterval);

        services.AddDataProtection().SetApplicationName("maneiro");
        services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((o, redis) =>
            o.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), "maneiro:data-protection-keys"));

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AdminPolicy, p => p.RequireRole(AdminRole));

        var mail = configuration.GetSection("Mail").Get<MailOptions>() ?? new MailOptions();
        services.AddSingleton(mail);
        services.AddSingleton<EmailSender>();
        services.AddScoped<AuditTrail>();
        services.AddSingleton<PublicOrigin>();
        services.AddHttpContextAccessor();
        return services;
    }

    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs"))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
