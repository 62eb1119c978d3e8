using System.Net;
using Maneiro.Grains;
using Maneiro.Grains.Analyses;
using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Maneiro.Tests.Jobs;

/// <summary>The silo stops mid-job; after it comes back the job resumes from its last finished stage.</summary>
public sealed class JobResumeTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_job_stopped_during_analysis_resumes_without_repeating_finished_stages_or_a_finished_llm_call()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        var calls = app.OpenAi.ChatCalls;
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));

        // The stage is saved just before the request to the model leaves; the model holds it.
        await app.OpenAi.WaitUntilHeldAsync();
        Assert.Equal(calls + 1, app.OpenAi.ChatCalls);

        // Stop the whole app (and its silo) while the model is still thinking, then start it again.
        await app.RestartAsync();
        app.OpenAi.Release();
        using var again = new BrowserSession(app.Factory.CreateHttpClient(session.Cookies), session.Cookies);

        // Reading the job activates it, and activation resumes it (the reminder would do the same within a minute).
        var job = await JobsApp.WaitForFinishAsync(again, jobId);
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        var history = job.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("stage").GetString()).ToList();
        Assert.Single(history, s => s == "Extracting");
        Assert.Single(history, s => s == "Validating");
        Assert.Single(history, s => s == "Analyzing");
        Assert.Equal(calls + 2, app.OpenAi.ChatCalls);

        // Once complete, another restart and read does not ask the model again.
        await app.RestartAsync();
        using var third = new BrowserSession(app.Factory.CreateHttpClient(session.Cookies), session.Cookies);
        var (status, page, _) = await third.GetAsync($"/Jobs/{jobId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("H40.1112", page, StringComparison.Ordinal);
        Assert.Equal(calls + 2, app.OpenAi.ChatCalls);

        var userId = (await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAnalysisGrain>(jobId).GetProgress())!.OwnerId;
        var usage = await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(userId).GetSnapshot();
        Assert.Equal(1, usage.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        session.Dispose();
    }

    [Fact]
    public async Task An_analysis_stopped_in_validating_resumes_at_referencing_and_finishes_without_calling_out_again()
    {
        var (session, jobId) = await CompletedAnalysisAsync();
        await app.RestartAsync();

        // The row as a silo dying in Validating leaves it: Validating starts unsaved, so the stored stage is Referencing,
        // begun, and the output holds everything up to the references (here the result too; Validating overwrites it).
        var grains = app.Factory.Services.GetRequiredService<IGrainFactory>();
        var stored = await StoreAsBegunAsync(jobId, JobStage.Referencing);
        var (modelCalls, searches) = (app.OpenAi.ChatCalls, app.PubMed.Requests.Count());

        // Reading it activates it, and activation resumes it: Referencing finds its references, Validating runs again.
        using var again = new BrowserSession(app.Factory.CreateHttpClient(session.Cookies), session.Cookies);
        var job = await JobsApp.WaitForFinishAsync(again, jobId);
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Single(job.GetProperty("history").EnumerateArray(), h => h.GetProperty("stage").GetString() == "Validating");
        Assert.Equal((modelCalls, searches), (app.OpenAi.ChatCalls, app.PubMed.Requests.Count()));
        Assert.Contains("H40.1112", (await again.GetAsync($"/Jobs/{jobId}")).Html, StringComparison.Ordinal);
        var usage = await grains.GetGrain<IUserGrain>(stored.Request!.OwnerId).GetSnapshot();
        Assert.Equal(1, usage.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        session.Dispose();
    }

    [Fact]
    public async Task An_analysis_saved_as_validating_before_its_references_were_saved_fetches_them_again()
    {
        var (session, jobId) = await CompletedAnalysisAsync();
        var grains = app.Factory.Services.GetRequiredService<IGrainFactory>();
        Assert.NotEmpty((await grains.GetGrain<IAnalysisGrain>(jobId).GetResult())!.Result!.References!);
        await app.RestartAsync();
        grains = app.Factory.Services.GetRequiredService<IGrainFactory>();

        // Referencing holds its references for Validating to save with the result. Another write of the progress while
        // Validating runs (a transfer, a retry's count) stores the stage as Validating; the silo dies before the result.
        await StoreAsBegunAsync(jobId, JobStage.Validating);
        var storage = app.Factory.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var grainId = grains.GetGrain<IAnalysisGrain>(jobId).GetGrainId();
        var outputRow = new GrainState<AnalysisOutputState>();
        await storage.ReadStateAsync("output", grainId, outputRow);
        (outputRow.State!.References, outputRow.State.Result) = (null, null);
        await storage.WriteStateAsync("output", grainId, outputRow);
        var (modelCalls, searches) = (app.OpenAi.ChatCalls, app.PubMed.Requests.Count());

        using var again = new BrowserSession(app.Factory.CreateHttpClient(session.Cookies), session.Cookies);
        var job = await JobsApp.WaitForFinishAsync(again, jobId);
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Equal(modelCalls, app.OpenAi.ChatCalls);
        Assert.True(app.PubMed.Requests.Count() > searches, "the references were fetched again");
        Assert.NotEmpty((await grains.GetGrain<IAnalysisGrain>(jobId).GetResult())!.Result!.References!);
        session.Dispose();
    }

    [Fact]
    public async Task A_letter_stopped_while_drafting_resumes_and_is_counted_once()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        app.OpenAi.Hold();
        var before = app.OpenAi.LetterCalls;
        var response = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "en", ["Letter.RecipientName"] = "Dr. Ana Silva" }, handler: "Letter");
        var letterId = response.Headers.Location!.OriginalString["/Letters/".Length..];
        await app.OpenAi.WaitUntilHeldAsync();
        Assert.Equal(before + 1, app.OpenAi.LetterCalls);
        await app.RestartAsync();
        app.OpenAi.Release();

        var grains = app.Factory.Services.GetRequiredService<IGrainFactory>();
        var letter = (await Eventually.ReturnsAsync(() => grains.GetGrain<ILetterGrain>(letterId).GetStatus(), l => l?.IsFinished == true, "the resumed letter finished", TimeSpan.FromSeconds(30)))!;
        Assert.Equal(JobStage.Complete, letter.Stage);
        Assert.Single(letter.Versions);
        Assert.Single(letter.History, h => h.Stage == JobStage.LoadingContext);
        Assert.Equal(before + 2, app.OpenAi.LetterCalls);
        var usage = await grains.GetGrain<IUserGrain>(await app.UserIdAsync(email)).GetSnapshot();
        Assert.Equal(1, usage.Usage.Single(u => u.Kind == UsageKind.Letters).Used);
        session.Dispose();
    }

    /// <summary>A new user's note analysed to Complete: the session and the job.</summary>
    private async Task<(BrowserSession Session, string JobId)> CompletedAnalysisAsync()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        Assert.Equal("Complete", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(session, jobId)));
        return (session, jobId);
    }

    /// <summary>
    /// Rewrites a finished analysis's progress row as a silo dying in <paramref name="stage"/> leaves it: that stage
    /// begun once and not ended, nothing after it. Returns the stored progress.
    /// </summary>
    private async Task<AnalysisState> StoreAsBegunAsync(string jobId, JobStage stage)
    {
        var storage = app.Factory.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var grainId = app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAnalysisGrain>(jobId).GetGrainId();
        var row = new GrainState<AnalysisState>();
        await storage.ReadStateAsync("job", grainId, row);
        var stored = row.State!;
        var begun = stored.History.FindLastIndex(h => h.Stage == stage);
        Assert.True(begun >= 0, $"the analysis went through {stage}");
        stored.History.RemoveRange(begun + 1, stored.History.Count - begun - 1);
        stored.History[^1] = stored.History[^1] with { EndedAt = null };
        (stored.Stage, stored.StageStarts, stored.Percent) = (stage, 1, AnalysisStages.PercentAt(stage));
        await storage.WriteStateAsync("job", grainId, row);
        return stored;
    }
}
