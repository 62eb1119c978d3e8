using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Pipeline;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

/// <summary>
/// A running job is on the unfinished list (no reminder of its own); the silos' sweep wakes it when its silo is gone,
/// without anyone reading it, and a job with nothing left to run leaves the list.
/// </summary>
public sealed class UnfinishedJobTests(JobsApp app) : IClassFixture<JobsApp>
{
    private IUnfinishedJobs Unfinished => app.Factory.Services.GetRequiredService<IUnfinishedJobs>();

    private UnfinishedJobSweep Sweep => app.Factory.Services.GetRequiredService<UnfinishedJobSweep>();

    private static GrainId AnalysisGrainId(string jobId) => GrainId.Create("analysisjob", jobId);

    // Everything on the list, however recently added (a sweep "as of" a minute from now sees it all).
    private async Task<IReadOnlyList<GrainId>> ListedAsync() => await Unfinished.AddedBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10_000);

    [Fact]
    public async Task A_running_analysis_is_listed_as_unfinished_without_a_reminder_and_leaves_the_list_when_it_completes()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        await app.OpenAi.WaitUntilHeldAsync();

        // A reminder per job cost a call to the reminder service, a row and a timer; the list entry replaces it.
        var reminders = app.Factory.Services.GetRequiredService<IReminderTable>();
        Assert.Empty((await reminders.ReadRows(AnalysisGrainId(jobId))).Reminders);
        Assert.Contains(AnalysisGrainId(jobId), await ListedAsync());

        app.OpenAi.Release();
        Assert.Equal("Complete", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(session, jobId)));
        await Eventually.TrueAsync(async () => !(await ListedAsync()).Contains(AnalysisGrainId(jobId)), "the finished analysis left the unfinished list");
        Assert.Empty((await reminders.ReadRows(AnalysisGrainId(jobId))).Reminders);

        // An entry left behind (its removal failed, say) goes at the next sweep: the job has nothing left to run.
        await Unfinished.AddAsync(AnalysisGrainId(jobId), DateTimeOffset.UtcNow.AddMinutes(-5));
        await Sweep.SweepAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.DoesNotContain(AnalysisGrainId(jobId), await ListedAsync());
        session.Dispose();
    }

    [Fact]
    public async Task An_analysis_whose_silo_stopped_is_resumed_by_the_sweep_with_nobody_reading_it()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        var calls = app.OpenAi.ChatCalls;
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        await app.OpenAi.WaitUntilHeldAsync();
        session.Dispose();

        // The silo stops while the model thinks; nothing reads the job after the restart.
        await app.RestartAsync();
        app.OpenAi.Release();
        Assert.Equal(calls + 1, app.OpenAi.ChatCalls);
        Assert.Contains(AnalysisGrainId(jobId), await ListedAsync());

        // The sweep (every silo's, once a minute; here called "as of" a minute later) wakes it, and it goes on.
        Assert.True(await Sweep.SweepAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None) >= 1);
        await Eventually.TrueAsync(async () => !(await ListedAsync()).Contains(AnalysisGrainId(jobId)), "the woken analysis finished and left the list");
        Assert.Equal(calls + 2, app.OpenAi.ChatCalls);

        var grains = app.Factory.Services.GetRequiredService<IGrainFactory>();
        var progress = await grains.GetGrain<IAnalysisGrain>(jobId).GetProgress();
        Assert.Equal(JobStage.Complete, progress!.Stage);
        Assert.Single(progress.History, h => h.Stage == JobStage.Extracting);
        var usage = await grains.GetGrain<IUserGrain>(await app.UserIdAsync(email)).GetSnapshot();
        Assert.Equal(1, usage.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
    }
}
