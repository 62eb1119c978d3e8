using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>Uploading a document analysed before: the page offers that analysis for free, or a new, charged one.</summary>
public sealed class RepeatUploadBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task The_upload_page_offers_the_earlier_analysis_or_a_new_one_and_stays_accessible()
    {
        var (session, email) = await app.SignedInUserAsync("repeat-page");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var bytes = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote + "\nVisit " + Guid.NewGuid().ToString("N"));
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, bytes, analyzeAgain: false));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(await JobsApp.WaitForFinishAsync(session, first)));
        var pdf = Path.Combine(Path.GetTempPath(), $"repeat-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(pdf, bytes);

        await using var run = await BrowserRun.StartAsync(app);
        var page = run.Page;
        await run.SignInAsync(email);

        await page.GetByLabel("Specialty").SelectOptionAsync("ophthalmology");
        await page.Locator("#file").SetInputFilesAsync(pdf);
        await page.GetByRole(AriaRole.Button, new() { Name = "Analyze", Exact = true }).ClickAsync();
        var open = page.GetByRole(AriaRole.Link, new() { Name = "Open the earlier analysis" });
        await open.WaitForAsync();
        Assert.Contains("already analyzed this document", await page.Locator("#upload-repeat").TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        Assert.EndsWith($"/Jobs/{first}?repeat=1", await open.GetAttributeAsync("href"), StringComparison.Ordinal);

        // "Analyze again" sends the same file as a new analysis and opens it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Analyze again (counts as a new analysis)" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/Jobs/[0-9a-f]{32}$"));
        Assert.DoesNotContain(first, page.Url, StringComparison.Ordinal);
        var (_, account, _) = await session.GetAsync("/Account/Manage");
        Assert.Contains("Analyses: 2 of 10", account, StringComparison.Ordinal);
        File.Delete(pdf);
        session.Dispose();
    }
}
