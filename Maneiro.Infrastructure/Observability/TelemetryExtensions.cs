using Maneiro.Grains.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Maneiro.Infrastructure.Observability;

public static class TelemetryExtensions
{
    /// <summary>
    /// Framework categories whose lines carry URLs with query strings, and e-mail links carry tokens: routing logs every
    /// generated link at Debug, hosting logs every request URL at Information. They log warnings and errors only,
    /// whatever the configuration says (a filter rule replaces, not tightens, the configured level, so this is also
    /// their level); requests stay visible through the traces and metrics, whose URLs are redacted.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, LogLevel> CappedCategories = new Dictionary<string, LogLevel>
    {
        ["Microsoft.AspNetCore.Routing"] = LogLevel.Warning,
        ["Microsoft.AspNetCore.Hosting.Diagnostics"] = LogLevel.Warning,
    };

    /// <summary>Whether spans are recorded; by default only when they are exported (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    public const string RecordSpansKey = "Tracing:RecordSpans";

    /// <summary>
    /// Traces and metrics for a Maneiro process (web or silo): our own meters and stage spans, Orleans grain calls,
    /// outbound HTTP (OpenAI, E-utilities, S3, Stripe) and Npgsql. Exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; the web adds its Prometheus endpoint through the callbacks. Spans are
    /// recorded only when exported (or <see cref="RecordSpansKey"/> says so); otherwise <see cref="TraceContextPropagation"/>
    /// only carries the trace id.
    /// </summary>
    public static IServiceCollection AddManeiroTelemetry(
        this IServiceCollection services,
        IConfiguration configuration,
        string serviceName,
        Action<TracerProviderBuilder>? tracing = null,
        Action<MeterProviderBuilder>? metrics = null)
    {
        services.AddMetrics();
        services.TryAddSingleton<ManeiroTelemetry>();
        var exporting = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? serviceName, serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m =>
            {
                m.AddMeter(ManeiroTelemetry.Name, "Microsoft.Orleans")
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                metrics?.Invoke(m);
            });
        if (configuration.GetValue(RecordSpansKey, exporting))
        {
            telemetry.WithTracing(t =>
            {
                t.AddSource(ManeiroTelemetry.Name, Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName, Orleans.Diagnostics.ActivitySources.RuntimeActivitySourceName)
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                tracing?.Invoke(t);
            });
        }
        else
        {
            services.AddHostedService<TraceContextPropagation>();
        }

        if (exporting)
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>
    /// One JSON object per line (with scopes, so job and user ids, and the trace id) unless
    /// <c>Logging:Format</c> is <c>text</c>; Development defaults to text. Log messages carry ids and error types,
    /// never document text, names, passwords, tokens or secrets.
    /// </summary>
    public static ILoggingBuilder AddManeiroLogging(this ILoggingBuilder logging, IConfiguration configuration, bool development)
    {
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        foreach (var (category, minimum) in CappedCategories)
        {
            logging.AddFilter(category, level => level >= minimum);
        }

        var format = configuration["Logging:Format"] ?? (development ? "text" : "json");
        if (format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        return logging;
    }
}
