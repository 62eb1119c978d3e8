using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>The home page's history: a running analysis's status changes live, with no reload.</summary>
public sealed class HistoryBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_running_analysis_in_the_history_updates_live_until_it_completes()
    {
        var (session, email) = await app.SignedInUserAsync("history");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        try
        {
            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
            await app.OpenAi.WaitUntilHeldAsync();

            await using var run = await BrowserRun.StartAsync(app);
            var page = run.Page;
            await run.SignInAsync(email);
            await page.Locator("#history[data-connected=live]").WaitForAsync();
            var status = page.Locator($"tr[data-job-id='{jobId}'] .job-status");
            Assert.Contains("Analyzing", await status.TextContentAsync(), StringComparison.Ordinal);
            Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));

            app.OpenAi.Release();
            await Assertions.Expect(status).ToContainTextAsync("Complete — open it for details", new() { Timeout = 60_000 });
            Assert.Equal(run.BaseUrl + "/", page.Url);
        }
        finally
        {
            app.OpenAi.Release();
            session.Dispose();
        }
    }
}
