using System.Diagnostics;
using Maneiro.Grains.Observability;
using Microsoft.Extensions.Hosting;

namespace Maneiro.Infrastructure.Observability;

/// <summary>
/// Keeps one trace id from a request through its grain calls and jobs when no span is recorded (nothing exports them):
/// grain-call and job-stage activities are created for propagation only — not recorded, no tags asked for — so log lines
/// and Sentry events still name the request's trace, while database commands and HTTP calls make no activity at all.
/// </summary>
public sealed class TraceContextPropagation : IHostedService, IDisposable
{
    /// <summary>Sources whose activities carry the context: the grain calls (outgoing ones inject it) and the job stages.</summary>
    public static readonly IReadOnlySet<string> Sources = new HashSet<string>(StringComparer.Ordinal)
    {
        ManeiroTelemetry.Name,
        Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName,
    };

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => Sources.Contains(source.Name),
        Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
