using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Maneiro.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Maneiro.Bench;

public sealed record LoadResult(int Jobs, TimeSpan Elapsed, IReadOnlyList<double> PushLatenciesMs, int Failed);

/// <summary>
/// Drives analyses through the real HTTP upload and waits for each job's Complete event on the SignalR hub, as a
/// browser does. Several signed-in users share the load; each keeps one hub connection.
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
        _latencies.Clear();
        var pdf = TwoPagePdf();
        using var gate = new SemaphoreSlim(parallel);
        var clock = Stopwatch.StartNew();
        // The timeout covers submission too: an upload or subscription that never answers must not hang the run.
        var waits = await Task.WhenAll(Enumerable.Range(0, jobs).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var user = _users[i % _users.Count];
                var jobId = await UploadAsync(user.Session, user.Token, pdf);
                var done = _done.GetOrAdd(jobId, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
                var current = await user.Hub.InvokeAsync<JsonElement>("Subscribe", jobId);
                if (current.GetProperty("finished").GetBoolean())
                {
                    done.TrySetResult(current.GetProperty("stage").GetString() == "Complete");
                }

                return done.Task;
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(timeout);
        var outcomes = await Task.WhenAll(waits).WaitAsync(timeout);
        clock.Stop();
        return new LoadResult(jobs, clock.Elapsed, [.. _latencies], outcomes.Count(ok => !ok));
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
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("ophthalmology"), "specialty");
        var file = new ByteArrayContent(pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", "note.pdf");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/analyze") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await session.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"Upload refused ({(int)response.StatusCode}): {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
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
