using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

/// <summary>
/// Lets a test run code right after the web has read one job's progress and before the hub goes on: the window in
/// which the two-silo benchmark lost completion events (the job finished between the hub's read and its group join).
/// </summary>
public sealed class ProgressReadGate : IOutgoingGrainCallFilter
{
    private string? _jobId;
    private Func<Task>? _afterRead;

    public void Arm(string jobId, Func<Task> afterRead)
    {
        _jobId = jobId;
        Volatile.Write(ref _afterRead, afterRead);
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        await context.Invoke();
        if (context.MethodName == nameof(IAnalysisGrain.GetProgress)
            && context.TargetId.Key.ToString() == _jobId
            && Interlocked.Exchange(ref _afterRead, null) is { } afterRead)
        {
            await afterRead();
        }
    }
}

public sealed class SubscribeRaceApp : ManeiroApp
{
    public SubscribeRaceApp()
        : this(new ProgressReadGate())
    {
    }

    private SubscribeRaceApp(ProgressReadGate gate)
        : base(b => b.WithFakeModel().ConfigureHost(h => h.ConfigureServices(s => s.AddSingleton<IOutgoingGrainCallFilter>(gate))))
    {
        Gate = gate;
    }

    public ProgressReadGate Gate { get; }
}

public sealed class SubscribeRaceTests(SubscribeRaceApp app) : IClassFixture<SubscribeRaceApp>
{
    [Fact]
    public async Task A_job_that_finishes_while_the_hub_subscribes_still_reaches_the_browser()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        try
        {
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(app.Factory.BaseAddress, "/hubs/jobs"), o => o.Cookies = session.Cookies)
                .Build();
            var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            hub.On<JsonElement>("progress", e =>
            {
                if (e.GetProperty("finished").GetBoolean())
                {
                    finished.TrySetResult(e.GetProperty("stage").GetString()!);
                }
            });
            await hub.StartAsync();

            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
            await app.OpenAi.WaitUntilHeldAsync();

            // Right after the hub's (first) read of the running job, let it finish and wait until it has published
            // Complete: the event goes out before the subscription returns, whatever order the hub works in.
            var grain = app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAnalysisGrain>(jobId);
            app.Gate.Arm(jobId, async () =>
            {
                app.OpenAi.Release();
                await Eventually.TrueAsync(async () => (await grain.GetProgress())?.IsFinished == true, "the job finished", TimeSpan.FromSeconds(30));
            });
            var current = await hub.InvokeAsync<JsonElement>("Subscribe", jobId);
            if (current.GetProperty("finished").GetBoolean())
            {
                finished.TrySetResult(current.GetProperty("stage").GetString()!);
            }

            // The browser learns the job finished, from the subscription's answer or a push; before the fix it
            // heard neither and waited forever.
            Assert.Equal("Complete", await finished.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            app.OpenAi.Release();
            session.Dispose();
        }
    }
}
