using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Maneiro.Grains.Observability;
using Maneiro.Infrastructure.Observability;
using Maneiro.Web.Security;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace Maneiro.Web.Observability;

public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>When set, <c>GET /metrics</c> also accepts <c>Authorization: Bearer &lt;token&gt;</c> (for a Prometheus scraper).</summary>
    public string? ScrapeToken { get; set; }

    /// <summary>Redis key prefix of the hourly request counts (shared by every web instance of one deployment).</summary>
    public string KeyPrefix { get; set; } = "maneiro:http:";
}

public static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/admin/orleans";
    public const string ScrapePolicy = "MetricsScrape";

    /// <summary>JSON logs, OpenTelemetry (ASP.NET Core spans and metrics on top of the shared set), Prometheus, key-metric queries.</summary>
    public static WebApplicationBuilder AddManeiroObservability(this WebApplicationBuilder builder)
    {
        builder.Logging.AddManeiroLogging(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddManeiroTelemetry(
            builder.Configuration,
            "maneiro-web",
            t => t.AddAspNetCoreInstrumentation(o => o.Filter = context => !IsQuiet(context.Request.Path)),
            m => m.AddAspNetCoreInstrumentation().AddPrometheusExporter());
        builder.Services.Configure<MetricsOptions>(builder.Configuration.GetSection(MetricsOptions.SectionName));
        builder.Services.AddSingleton<HttpOutcomeLedger>();
        builder.Services.AddSingleton<KeyMetrics>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(ScrapePolicy, p => p.RequireAssertion(context =>
            context.User.IsInRole(AccountsExtensions.AdminRole)
            || (context.Resource is HttpContext http && BearerMatches(http, http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value.ScrapeToken))));
        return builder;
    }

    /// <summary>
    /// Counts every answer by status class (the API error rate). Runs outermost, so it sees the status the exception handler finally sent.
    /// </summary>
    public static WebApplication UseManeiroRequestTelemetry(this WebApplication app)
    {
        var telemetry = app.Services.GetRequiredService<ManeiroTelemetry>();
        var ledger = app.Services.GetRequiredService<HttpOutcomeLedger>();
        app.Use(async (context, next) =>
        {
            var failed = false;
            try
            {
                await next();
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                var status = failed && !context.Response.HasStarted ? 500 : context.Response.StatusCode;
                if (!IsQuiet(context.Request.Path))
                {
                    telemetry.HttpResponse(status);
                    ledger.Record(status);
                }
            }
        });
        return app;
    }

    /// <summary>
    /// The dashboard can show any grain's saved state, and ours holds patient data (extracted text, results, letters),
    /// so that one dashboard endpoint is switched off; counts, timings, silos and reminders stay.
    /// </summary>
    public static WebApplication UseDashboardWithoutGrainState(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(DashboardPath + "/GrainState", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsJsonAsync(new { error = "Grain state inspection is disabled: grain state holds patient data." });
                return;
            }

            await next();
        });
        return app;
    }

    /// <summary>After authentication: log lines of an authenticated request carry its user id (never the e-mail).</summary>
    public static WebApplication UseManeiroUserLogScope(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Maneiro.Web");
        app.Use(async (context, next) =>
        {
            var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
            using var scope = userId is null ? null : logger.BeginScope(new Dictionary<string, object> { ["UserId"] = userId });
            await next();
        });
        return app;
    }

    /// <summary>The Prometheus endpoint (admins, or a scraper with the token) and the Orleans dashboard (admins).</summary>
    public static WebApplication MapManeiroObservability(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ScrapePolicy);
        if (app.Services.GetService<IClusterClient>() is not null)
        {
            // Commands such as verify-audit run without Orleans, and so without the dashboard.
            app.MapOrleansDashboard(DashboardPath).RequireAuthorization(AccountsExtensions.AdminPolicy);
        }

        return app;
    }

    /// <summary>Scrapes and health probes are not user traffic: they would drown the error rate and the traces.</summary>
    private static bool IsQuiet(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/healthz") || path.StartsWithSegments(DashboardPath);

    private static bool BearerMatches(HttpContext http, string? token)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(token) || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..]), Encoding.UTF8.GetBytes(token));
    }
}
