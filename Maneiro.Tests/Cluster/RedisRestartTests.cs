using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Cluster;

/// <summary>Redis (membership, reminders, progress, rate limits, sign-in keys) goes away for seconds mid-job.</summary>
public sealed class RedisRestartTests
{
    [Fact]
    public async Task A_job_in_flight_survives_a_redis_restart_and_requests_fail_cleanly_meanwhile()
    {
        await using var app = new ScratchRedisApp();
        await app.InitializeAsync();
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await app.OpenAi.WaitUntilHeldAsync();

        await app.Redis.StopAsync();
        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "/", $"/Jobs/{jobId}", "/Account/Manage", $"/api/jobs/{jobId}" })
        {
            statuses.Add((await session.GetAsync(path)).Status);
        }

        // While Redis is away nothing answers 500: either the page (what does not need Redis) or a clean 503.
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable or HttpStatusCode.Redirect, s.ToString()));
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await app.Redis.StartAsync();

        app.OpenAi.Release();
        var job = await JobsApp.WaitForFinishAsync(session, jobId, TimeSpan.FromSeconds(90));
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Single(job.GetProperty("history").EnumerateArray(), h => h.GetProperty("stage").GetString() == "Complete");

        // The same sign-in still works (its keys are in Redis, which keeps them on disk), and a new job runs.
        var next = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        Assert.Equal("Complete", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(session, next)));
        var snapshot = await app.UserGrain(await app.UserIdAsync(email)).GetSnapshot();
        Assert.Equal(2, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        session.Dispose();
    }

    private sealed class ScratchRedisApp : ManeiroApp, IAsyncDisposable
    {
        public ScratchRedisApp()
            : base(b => b.WithFakeModel().With(new ScratchRedis()))
        {
        }

        public ScratchRedis Redis => Part<ScratchRedis>();

        async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
    }
}
