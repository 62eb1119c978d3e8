using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Maneiro.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Maneiro.Bench;

public sealed record LoadResult(int Jobs, TimeSpan Elapsed, IReadOnlyList<double> PushLatenciesMs, int Failed, JobPhases Phases, string? SlowestJobId = null, DateTimeOffset SlowestUploadedAt = default);

/// <summary>Where each job's time went, as the client saw it: the upload's answer, the subscription's, the finish.</summary>
public sealed record JobPhases(IReadOnlyList<double> UploadMs, IReadOnlyList<double> FinishMs)
{
    public override string ToString() =>
        $"upload answered p50 {P(UploadMs, 0.5)} / max {P(UploadMs, 1)} ms, upload to Complete p50 {P(FinishMs, 0.5)} / max {P(FinishMs, 1)} ms";

    private static string P(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return "-";
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)].ToString("0", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Drives analyses through the real HTTP upload and waits for each job's Complete event on the SignalR hub, as a
/// browser does. Several signed-in users share the load; each keeps one hub connection, subscribed to the user's own
/// channel before anything is submitted, so every stage event of every job is received.
/// </summary>
public sealed class JobLoad : IAsyncDisposable
{
    private readonly List<(BrowserSession Session, string Token, HubConnection Hub)> _users = [];
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _done = new();
    private readonly ConcurrentBag<double> _latencies = [];

    public static async Task<JobLoad> StartAsync(ManeiroApp app, int users)
    {
        var load = new JobLoad();
        for (var i = 0; i < users; i++)
        {
            var (session, _) = await app.SignedInUserAsync("bench");
            var token = BrowserSession.AntiforgeryToken((await session.GetAsync("/")).Html)!;
            var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(app.Factory.BaseAddress, "/hubs/jobs"), o => o.Cookies = session.Cookies)
                .WithAutomaticReconnect()
                .Build();
            hub.On<JsonElement>("progress", load.OnProgress);
            await hub.StartAsync();
            await hub.InvokeAsync("SubscribeMine");
            load._users.Add((session, token, hub));
        }

        return load;
    }

    /// <summary>A two-page text PDF: the note plus enough follow-up lines to spill onto a second page.</summary>
    public static byte[] TwoPagePdf() => TestDocuments.TextPdf(
        TestDocuments.OphthalmologyNote + "\n" + string.Join('\n', Enumerable.Range(1, 40).Select(i => $"Follow-up note line {i}: pressure stable, drops tolerated, no new symptoms.")));

    /// <summary>Submits <paramref name="jobs"/> uploads, at most <paramref name="parallel"/> at a time, and waits for all to complete.</summary>
    public async Task<LoadResult> RunAsync(int jobs, int parallel, TimeSpan timeout)
    {
        using var gate = new SemaphoreSlim(parallel);
        return await RunCoreAsync(jobs, _ => gate.WaitAsync(), () => gate.Release(), timeout);
    }

    /// <summary>Submits <paramref name="jobs"/> uploads at a fixed rate (not waiting for answers) and waits for all to complete.</summary>
    public Task<LoadResult> RunPacedAsync(int jobs, double perSecond, TimeSpan timeout)
    {
        var start = Stopwatch.GetTimestamp();
        return RunCoreAsync(
            jobs,
            i => Task.Delay(TimeSpan.FromSeconds(i / perSecond) - Stopwatch.GetElapsedTime(start) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero),
            () => { },
            timeout);
    }

    private async Task<LoadResult> RunCoreAsync(int jobs, Func<int, Task> before, Action after, TimeSpan timeout)
    {
        _latencies.Clear();
        var pdf = TwoPagePdf();
        var (uploads, finishes) = (new ConcurrentBag<double>(), new ConcurrentBag<double>());
        var byJob = new ConcurrentBag<(string JobId, DateTimeOffset UploadedAt, double FinishMs)>();
        var clock = Stopwatch.StartNew();
        // The timeout covers submission too: an upload that never answers must not hang the run.
        var waits = await Task.WhenAll(Enumerable.Range(0, jobs).Select(async i =>
        {
            await before(i);
            try
            {
                var user = _users[i % _users.Count];
                var started = Stopwatch.GetTimestamp();
                var uploadedAt = DateTimeOffset.UtcNow;
                var jobId = await UploadAsync(user.Session, user.Token, pdf);
                uploads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                var done = _done.GetOrAdd(jobId, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
                return done.Task.ContinueWith(
                    t =>
                    {
                        finishes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        byJob.Add((jobId, uploadedAt, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                        return t.Result;
                    },
                    TaskScheduler.Default);
            }
            finally
            {
                after();
            }
        })).WaitAsync(timeout);
        var outcomes = await Task.WhenAll(waits).WaitAsync(timeout);
        clock.Stop();
        var slowest = byJob.OrderByDescending(j => j.FinishMs).FirstOrDefault();
        return new LoadResult(jobs, clock.Elapsed, [.. _latencies], outcomes.Count(ok => !ok), new JobPhases([.. uploads], [.. finishes]), slowest.JobId, slowest.UploadedAt);
    }

    private void OnProgress(JsonElement update)
    {
        var received = DateTimeOffset.UtcNow;
        if (update.TryGetProperty("at", out var at))
        {
            _latencies.Add((received - at.GetDateTimeOffset()).TotalMilliseconds);
        }

        if (update.GetProperty("finished").GetBoolean())
        {
            _done.GetOrAdd(update.GetProperty("jobId").GetString()!, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously))
                .TrySetResult(update.GetProperty("stage").GetString() == "Complete");
        }
    }

    private static async Task<string> UploadAsync(BrowserSession session, string token, byte[] pdf)
    {
        using var response = await PostAsync(session, token, pdf, analyzeAgain: true);
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"Upload refused ({(int)response.StatusCode}): {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
    }

    /// <summary>The upload form's POST, as the page's script sends it.</summary>
    public static async Task<HttpResponseMessage> PostAsync(BrowserSession session, string token, byte[] pdf, bool analyzeAgain)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("ophthalmology"), "specialty");
        if (analyzeAgain)
        {
            // Every upload is a new analysis in the load runs; the repeat offer has its own benchmark.
            form.Add(new StringContent("true"), "reanalyze");
        }
        var file = new ByteArrayContent(pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", "note.pdf");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/analyze") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (session, _, hub) in _users)
        {
            await hub.DisposeAsync();
            session.Dispose();
        }
    }
}
