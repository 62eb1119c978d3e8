using System.Security.Claims;
using System.Threading.RateLimiting;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Health;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Maneiro.Web.Security;

/// <summary>Named rate-limit policies, counted in Redis.</summary>
public static class RateLimits
{
    public const string Login = "login";
    public const string Register = "register";
    public const string ForgotPassword = "forgot-password";
    public const string Uploads = "uploads";
    public const string Api = "api";
    public const string LetterExports = "letter-exports";
    public const string LetterEdits = "letter-edits";
    public const string Webhook = "webhook";

    public static IServiceCollection AddManeiroRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<AccountThrottle>();
        services.AddSingleton<RefusalLedger>();
        services.AddHostedService(sp => sp.GetRequiredService<RefusalLedger>());
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Login, context => PerIp(context, Login, o => o.LoginPerIpPerMinute, TimeSpan.FromMinutes(1)));
            options.AddPolicy(Register, context => PerIp(context, Register, o => o.RegisterPerIpPerHour, TimeSpan.FromHours(1)));
            options.AddPolicy(ForgotPassword, context => PerIp(context, ForgotPassword, o => o.ForgotPasswordPerIpPerHour, TimeSpan.FromHours(1)));
            options.AddPolicy(Uploads, context => PerUser(context, Uploads, o => o.UploadsPerUserPerMinute));
            options.AddPolicy(Api, context => PerUser(context, Api, o => o.ApiPerUserPerMinute));
            options.AddPolicy(Webhook, context => PerIp(context, Webhook, o => o.WebhookPerIpPerMinute, TimeSpan.FromMinutes(1)));
            options.AddPolicy(LetterExports, context => PerUser(context, LetterExports, o => o.LetterExportsPerUserPerMinute));
            options.AddPolicy(LetterEdits, context => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? RateLimitPartition.GetNoLimiter("read")
                : PerUser(context, LetterEdits, o => o.LetterEditsPerUserPerMinute));
            options.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>Only state-changing requests count: reading the login page is never limited.</summary>
    private static RateLimitPartition<string> PerIp(HttpContext context, string policy, Func<RateLimitOptions, int> permits, TimeSpan window)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            return RateLimitPartition.GetNoLimiter("read");
        }

        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return Fixed(context, $"{policy}:ip:{ip}", permits, window);
    }

    private static RateLimitPartition<string> PerUser(HttpContext context, string policy, Func<RateLimitOptions, int> permits)
    {
        var user = context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
        return Fixed(context, $"{policy}:user:{user}", permits, TimeSpan.FromMinutes(1));
    }

    private static RateLimitPartition<string> Fixed(HttpContext context, string key, Func<RateLimitOptions, int> permits, TimeSpan window)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<SecurityOptions>>().Value.RateLimits;
        var limit = permits(options);
        var redis = services.GetRequiredService<IConnectionMultiplexer>();
        return RedisRateLimitPartition.GetFixedWindowRateLimiter($"{options.KeyPrefix}:{key}", _ => new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = limit,
            Window = window,
        });
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        await RefuseAsync(context, retryAfter, context.Request.Path, cancellationToken);
    }

    /// <summary>
    /// Every 429, from a policy or a per-account throttle: counted towards the source's summary audit row (never a row
    /// of its own), then answered with Retry-After; a readable page for browsers, JSON for API clients.
    /// </summary>
    public static async Task RefuseAsync(HttpContext context, TimeSpan retryAfter, string target, CancellationToken cancellationToken)
    {
        await context.RequestServices.GetRequiredService<RefusalLedger>().CountAsync(AuditActions.RateLimited, context.Connection.RemoteIpAddress?.ToString(), target);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var minutes = Math.Max(1, (int)Math.Ceiling(seconds / 60.0));
        var message = $"Too many attempts. For your security, please wait about {minutes} minute{(minutes == 1 ? "" : "s")} and try again.";
        await StatusPages.WriteAsync(context, new StatusPage(StatusCodes.Status429TooManyRequests, seconds, "rate_limited", "Please wait", "Please wait a moment", message, "/", "Back to Maneiro"), cancellationToken);
    }
}

/// <summary>Per-account limits (login, password reset), keyed by the normalized e-mail the form names.</summary>
public sealed class AccountThrottle(IConnectionMultiplexer redis, IOptions<SecurityOptions> options)
{
    public Task<(bool Allowed, TimeSpan RetryAfter)> TryLoginAsync(string email) =>
        TryAsync($"{options.Value.RateLimits.KeyPrefix}:login:account:{Normalize(email)}", options.Value.RateLimits.LoginPerAccountPerMinute, TimeSpan.FromMinutes(1));

    public Task<(bool Allowed, TimeSpan RetryAfter)> TryForgotPasswordAsync(string email) =>
        TryAsync($"{options.Value.RateLimits.KeyPrefix}:forgot:account:{Normalize(email)}", options.Value.RateLimits.ForgotPasswordPerAccountPerHour, TimeSpan.FromHours(1));

    private async Task<(bool, TimeSpan)> TryAsync(string key, int permits, TimeSpan window)
    {
        await using var limiter = new RedisFixedWindowRateLimiter<string>(key, new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = permits,
            Window = window,
        });
        using var lease = await limiter.AcquireAsync(1);
        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
        return (lease.IsAcquired, retry);
    }

    private static string Normalize(string email) => email.Trim().ToUpperInvariant();
}
