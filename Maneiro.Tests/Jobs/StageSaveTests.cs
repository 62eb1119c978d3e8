using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

/// <summary>
/// How often an analysis saves its progress before the model is asked: the request and its first stage begun are one
/// write (they were two), then the extraction's end (which begins Analyzing). The model call is counted in the stage's
/// next save, not in a write of its own before it leaves (which made three).
/// </summary>
public sealed class StageSaveTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_new_analysis_saves_its_request_and_first_stage_in_one_write()
    {
        var (session, _) = await app.SignedInUserAsync("stage-saves");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var heldBefore = app.OpenAi.HeldRequests;
        app.OpenAi.Hold();
        try
        {
            await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
            await app.OpenAi.WaitUntilHeldAsync(heldBefore + 1);

            // Written: request + Extracting begun (1), Extracting ended + Analyzing begun (2); nothing while the model answers.
            // The only analysis in this app's database (its key is stored hashed, not as text).
            Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM orleans_grain_state WHERE grain_type = 'job'"));
            var version = await app.Database.ScalarAsync<int>("SELECT version FROM orleans_grain_state WHERE grain_type = 'job'");
            Assert.Equal(2, version);
        }
        finally
        {
            app.OpenAi.Release();
        }

        session.Dispose();
    }
}
