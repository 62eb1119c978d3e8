using System.Text;
using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Grains;

/// <summary>
/// The failure policy of the analysis stages, on a real TestCluster (PostgreSQL, Redis) with the model behind its
/// seam, so each rule is exercised without the web app around it.
/// </summary>
public sealed class AnalysisStageRuleTests : IAsyncLifetime
{
    private readonly ManeiroCluster _cluster = ManeiroCluster.WithScriptedModel();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task A_model_that_fails_transiently_is_retried_and_its_answer_is_used_once()
    {
        _cluster.Model.Script(
            () => throw new HttpRequestException("connection reset"),
            () => throw new TimeoutException("slow"),
            () => ScriptedAnalyzer.Answer(JobsApp.ModelAnswer()));
        var (analysis, user) = await StartAsync();

        var done = await Eventually.ReturnsAsync(analysis.GetProgress, p => p!.IsFinished, "the analysis finished", TimeSpan.FromSeconds(60));
        Assert.Equal(JobStage.Complete, done!.Stage);
        Assert.Equal(3, _cluster.Model.Calls);
        Assert.Single(done.History, h => h.Stage == JobStage.Analyzing);
        Assert.Equal("H40.1112", (await analysis.GetResult())!.Result!.Icd10Codes[0].Code);
        Assert.Equal(1, (await user.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
    }

    [Fact]
    public async Task A_model_that_keeps_failing_fails_the_analysis_after_the_last_attempt_and_uses_no_allowance()
    {
        _cluster.Model.Script(() => throw new HttpRequestException("connection reset"));
        var (analysis, user) = await StartAsync();

        var done = await Eventually.ReturnsAsync(analysis.GetProgress, p => p!.IsFinished, "the analysis finished", TimeSpan.FromSeconds(60));
        Assert.Equal(JobStage.Failed, done!.Stage);
        Assert.Equal(JobFailurePolicy.GaveUpMessage, done.Error);
        Assert.Equal(JobFailurePolicy.MaxAttempts, _cluster.Model.Calls);
        Assert.Equal(0, (await user.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
    }

    [Fact]
    public async Task A_refusal_for_the_user_fails_at_once_with_its_message()
    {
        _cluster.Model.Script(() => throw new JobFailedException("The analysis service refused the request (400). Please try again later."));
        var (analysis, _) = await StartAsync();

        var done = await Eventually.ReturnsAsync(analysis.GetProgress, p => p!.IsFinished, "the analysis finished");
        Assert.Equal(JobStage.Failed, done!.Stage);
        Assert.Equal("The analysis service refused the request (400). Please try again later.", done.Error);
        Assert.Equal(1, _cluster.Model.Calls);
    }

    [Fact]
    public async Task A_letter_reported_finished_takes_edits_while_its_run_is_still_doing_bookkeeping()
    {
        _cluster.Model.Script(() => ScriptedAnalyzer.Answer(JobsApp.ModelAnswer()));
        var (analysis, _) = await StartAsync();
        var owner = (await Eventually.ReturnsAsync(analysis.GetProgress, p => p!.IsFinished, "the analysis finished"))!.OwnerId;

        // The letter's outcome is saved, but its audit row is held: the run has not returned yet.
        _cluster.Auditor.HoldLetters();
        var letter = _cluster.Grains.GetGrain<ILetterGrain>(Guid.NewGuid().ToString("N"));
        await letter.Start(new LetterRequest(owner, analysis.GetPrimaryKeyString(), LetterKind.Referral, "en", new LetterRecipient("Dr. Ana Silva", "", "", null)));
        await Eventually.TrueAsync(() => _cluster.Auditor.HeldLetters == 1, "the letter's bookkeeping is held");
        Assert.True((await letter.GetStatus())!.IsFinished);

        var edited = await letter.SaveEdit("Edited subject", "An edited body.", owner);
        Assert.Equal(2, edited.CurrentVersion);
        _cluster.Auditor.Release();
    }

    private async Task<(IAnalysisGrain Analysis, IUserGrain User)> StartAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var owner = "rules-" + Guid.NewGuid().ToString("N")[..8];
        var key = BlobKeys.NewUploadKey(id);
        await using (var text = new MemoryStream(Encoding.UTF8.GetBytes(TestDocuments.OphthalmologyNote)))
        {
            await _cluster.SiloServices.GetRequiredService<IBlobStore>().PutAsync(key, text, "text/plain", CancellationToken.None);
        }

        var analysis = _cluster.Grains.GetGrain<IAnalysisGrain>(id);
        await analysis.Start(new AnalysisRequest(owner, key, InputKind.Text, "text/plain", TestDocuments.OphthalmologyNote.Length, "ophthalmology", false));
        return (analysis, _cluster.Grains.GetGrain<IUserGrain>(owner));
    }
}
