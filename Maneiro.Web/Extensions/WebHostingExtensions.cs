using System.Globalization;
using Maneiro.Infrastructure;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Hosting;
using Maneiro.Web.Billing;
using Maneiro.Web.Data;
using Maneiro.Web.Fhir;
using Maneiro.Web.Health;
using Maneiro.Web.Inbox;
using Maneiro.Web.Jobs;
using Maneiro.Web.Letters;
using Maneiro.Web.Observability;
using Maneiro.Web.Security;

namespace Maneiro.Web.Extensions;

public static class WebHostingExtensions
{
    /// <summary>The account pages a visitor reaches before signing in; everything else, /Account/Manage included, needs a sign-in.</summary>
    private static readonly string[] AnonymousAccountPages =
        ["AccessDenied", "ConfirmEmail", "ForgotPassword", "Lockout", "Login", "LoginWith2fa", "LoginWithRecoveryCode", "Logout", "Register", "RegisterConfirmation", "ResetPassword"];

    /// <summary>Configuration sources, the Orleans silo or client, data connections, accounts, and the pages.</summary>
    public static WebApplicationBuilder AddManeiroWeb(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddManeiroSources(builder.Environment.ContentRootPath);
        var configuration = builder.Configuration;
        var command = CommandLine.Command(args);

        // Before Orleans, so the shared connections exist (and Redis is connecting) before the silo starts.
        builder.Services.AddManeiroInfrastructure(configuration);

        switch (command)
        {
            case null:
                builder.Services.AddManeiroMigrations(configuration);
                builder.AddManeiroOrleans();
                builder.Services.AddSingleton<DependencyHealth>();
                break;
            case CommandLine.CreateAdmin:
                // A short-lived silo of its own on free ports (joining the cluster if one runs), and no public socket.
                builder.Configuration["Orleans:Mode"] = "Cohosted";
                builder.Configuration["Orleans:SiloPort"] = FreePort();
                builder.Configuration["Orleans:GatewayPort"] = FreePort();
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.AddManeiroOrleans();
                break;
        }

        builder.AddManeiroSentry();
        builder.AddManeiroObservability();
        builder.Services.AddManeiroData(configuration);
        builder.Services.AddManeiroAccounts(configuration, builder.Environment);
        builder.Services.AddManeiroRateLimits();
        builder.Services.AddManeiroForwardedHeaders(configuration);
        builder.Services.AddManeiroAnalyses(configuration);
        builder.Services.AddManeiroInbox();
        builder.Services.AddManeiroLetters();
        builder.Services.AddManeiroFhir();
        builder.Services.AddManeiroBilling(configuration);
        builder.Services.Configure<Billing.PricingOptions>(configuration.GetSection(Billing.PricingOptions.SectionName));
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Admin", AccountsExtensions.AdminPolicy);
            // The sign-in and recovery pages only: an anonymous folder rule would win over /Account/Manage's.
            foreach (var page in AnonymousAccountPages)
            {
                o.Conventions.AllowAnonymousToPage("/Account/" + page);
            }

            o.Conventions.AuthorizeFolder("/Account/Manage");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AllowAnonymousToPage("/Pricing");
        }).AddMvcOptions(o => o.Filters.Add<Clinics.ClinicTwoFactorPolicy>());
        builder.Services.AddScoped<Clinics.ClinicTwoFactorPolicy>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<ViewerTime>();
        return builder;
    }

    /// <summary><c>Orleans:Mode</c>: <c>Cohosted</c> (default) runs a silo in this process; <c>Client</c> joins the silos' cluster.</summary>
    public static WebApplicationBuilder AddManeiroOrleans(this WebApplicationBuilder builder)
    {
        var mode = builder.Configuration["Orleans:Mode"] ?? "Cohosted";
        if (mode.Equals("Client", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseOrleansClient(client => client.AddManeiroClient(builder.Configuration));
        }
        else if (mode.Equals("Cohosted", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseOrleans(silo => silo.AddManeiroSilo(builder.Configuration));
        }
        else
        {
            throw new InvalidOperationException($"Orleans:Mode must be 'Cohosted' or 'Client', not '{mode}'.");
        }

        return builder;
    }

    /// <summary>Sentry only when SENTRY_DSN is set, and never with request bodies, cookies or user e-mail addresses.</summary>
    public static WebApplicationBuilder AddManeiroSentry(this WebApplicationBuilder builder)
    {
        var dsn = builder.Configuration[SecretSettings.SentryDsn];
        if (string.IsNullOrWhiteSpace(dsn))
        {
            return builder;
        }

        builder.WebHost.UseSentry(o =>
        {
            o.Dsn = dsn;
            o.SendDefaultPii = false;
            o.MaxRequestBodySize = Sentry.Extensibility.RequestSize.None;
            // Errors carry the trace id, so the failing request or job can be found in the traces.
            o.SetBeforeSend(PhiScrubber.Prepare);
        });
        return builder;
    }

    public static WebApplication UseManeiroWeb(this WebApplication app)
    {
        // First: everything after it (HSTS, links, rate limits, audit) sees the client's address and scheme.
        app.UseForwardedHeaders();
        app.UseManeiroRequestTelemetry();
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            // Links never follow the Host header (PublicOrigin); requests naming another host are refused too.
            app.UseMiddleware<HostAllowListMiddleware>();
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }

        app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
        app.UseMiddleware<TransientFailureMiddleware>();
        app.UseStaticFiles();
        app.UseDashboardWithoutGrainState();
        app.UseRouting();
        app.UseAuthentication();
        app.UseManeiroUserLogScope();
        app.Use(async (context, next) =>
        {
            // What a signed-in user sees (results, letters, the history) is patient data: never kept by a cache.
            if (context.User.Identity?.IsAuthenticated == true)
            {
                context.Response.Headers.CacheControl = "no-store";
            }

            await next(context);
        });
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapHealthEndpoints();
        app.MapAnalysisEndpoints();
        app.MapRecordingEndpoints();
        app.MapLetterEndpoints();
        app.MapFhirEndpoints();
        app.MapInboxEndpoints();
        app.MapStripeWebhook();
        app.MapManeiroObservability();
        app.MapRazorPages();
        return app;
    }

    private static string FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }
}
