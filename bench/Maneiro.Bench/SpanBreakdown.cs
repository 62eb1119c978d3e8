using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Maneiro.Bench;

/// <summary>
/// Listens to every activity (ASP.NET Core, Orleans grain calls, Npgsql, HttpClient, ours) in this process during a
/// run and says where the time inside the upload requests went: per span name, how many and how long in total.
/// </summary>
public sealed class SpanBreakdown : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentBag<(string Name, ActivityTraceId Trace, double Ms, bool IsUpload, ActivityKind Kind)> _spans = [];

    public SpanBreakdown()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Add((a.DisplayName, a.TraceId, a.Duration.TotalMilliseconds, a.Kind == ActivityKind.Server && a.DisplayName.StartsWith("POST /api/analyze", StringComparison.Ordinal), a.Kind)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans under the upload requests, grouped by name, biggest total first.</summary>
    public string UploadReport(int top = 12)
    {
        var spans = _spans.ToList();
        var uploads = spans.Where(s => s.IsUpload).ToList();
        var traces = uploads.Select(s => s.Trace).ToHashSet();
        var report = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{uploads.Count} uploads, mean {(uploads.Count == 0 ? 0 : uploads.Average(u => u.Ms)):0} ms; inside them (count, mean ms, total s):");
        foreach (var group in spans.Where(s => !s.IsUpload && traces.Contains(s.Trace)).GroupBy(s => s.Name).OrderByDescending(g => g.Sum(s => s.Ms)).Take(top))
        {
            report.Append(CultureInfo.InvariantCulture, $"\n    {group.Key}: {group.Count()}, {group.Average(s => s.Ms):0.0}, {group.Sum(s => s.Ms) / 1000:0.0}");
        }

        return report.ToString();
    }

    /// <summary>Spans per upload (its whole trace: in a co-hosted run the job's stages run in the upload's trace).</summary>
    public (double Postgres, double StateWrites, double GrainCalls) PerUpload()
    {
        var spans = _spans.ToList();
        var traces = spans.Where(s => s.IsUpload).Select(s => s.Trace).ToHashSet();
        var inside = spans.Where(s => !s.IsUpload && traces.Contains(s.Trace)).ToList();
        double Per(Func<(string Name, ActivityKind Kind), bool> match) => traces.Count == 0 ? 0 : inside.Count(s => match((s.Name, s.Kind))) / (double)traces.Count;

        // Orleans names both spans of a grain call "IInterface/Method" (the caller's a client span, the callee's a
        // server span): the caller's are counted. System targets (reminders) included.
        return (Per(s => s.Name == "postgresql"), Per(s => s.Name == "write storage"), Per(s => s.Kind == ActivityKind.Client && s.Name.StartsWith('I') && s.Name.Contains('/', StringComparison.Ordinal) && !s.Name.Contains(' ', StringComparison.Ordinal)));
    }

    public void Dispose() => _listener.Dispose();
}
