using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>The analysis page opened while the analysis is still running.</summary>
public sealed class JobPageBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_page_opened_mid_stage_lists_each_stage_once_and_links_only_to_pages_that_exist()
    {
        var (session, email) = await app.SignedInUserAsync("midstage");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        try
        {
            // A dictation held at transcription: a stage whose display name differs from its name.
            var wav = await TestDocuments.SpeechWavAsync("Right eye pressure twenty four.");
            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "dictation.wav"));
            await app.OpenAi.WaitUntilHeldAsync();

            await using var run = await BrowserRun.StartAsync(app);
            var page = run.Page;
            await run.SignInAsync(email);
            await page.GotoAsync($"{run.BaseUrl}/Jobs/{jobId}");

            // Once the live subscription has answered with the current stage, the list still names it once.
            await page.Locator("#job-progress[data-connected=live]").WaitForAsync();
            var items = await page.Locator("#job-stages li").AllTextContentsAsync();
            Assert.Single(items, i => i.Trim() == "Transcribing the dictation");

            // Let it finish; the completed page's own links all lead somewhere.
            app.OpenAi.Release();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Diagnoses" }).WaitForAsync(new() { Timeout = 60_000 });
            var links = await page.Locator("main a[href^='/']").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
            Assert.Contains("/Account/Manage/Letterhead", links);
            foreach (var href in links.Distinct())
            {
                var (status, _, _) = await session.GetAsync(href);
                Assert.True(status != System.Net.HttpStatusCode.NotFound, $"{href} on the analysis page answers 404");
            }
        }
        finally
        {
            app.OpenAi.Release();
            session.Dispose();
        }
    }

    [Fact]
    public async Task At_desktop_width_the_letter_form_s_fields_do_not_overlap()
    {
        var (session, email) = await app.SignedInUserAsync("layout");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);

        await using var run = await BrowserRun.StartAsync(app);
        var page = run.Page;
        await page.SetViewportSizeAsync(1280, 900);
        await run.SignInAsync(email);
        await page.GotoAsync($"{run.BaseUrl}/Jobs/{jobId}");
        var fields = new[] { "#Letter_Kind", "#Letter_Language", "#Letter_RecipientName", "#Letter_RecipientSpecialty" };
        var boxes = new List<(string Id, LocatorBoundingBoxResult Box)>();
        foreach (var id in fields)
        {
            boxes.Add((id, (await page.Locator(id).BoundingBoxAsync())!));
        }

        foreach (var (a, boxA) in boxes)
        {
            foreach (var (b, boxB) in boxes.Where(x => string.CompareOrdinal(x.Id, a) > 0))
            {
                var overlap = boxA.X < boxB.X + boxB.Width && boxB.X < boxA.X + boxA.Width && boxA.Y < boxB.Y + boxB.Height && boxB.Y < boxA.Y + boxA.Height;
                Assert.False(overlap, $"{a} ({boxA.X},{boxA.Y} {boxA.Width}x{boxA.Height}) overlaps {b} ({boxB.X},{boxB.Y} {boxB.Width}x{boxB.Height})");
            }
        }

        session.Dispose();
    }

    [Fact]
    public async Task Copy_for_the_EHR_puts_plain_text_on_the_clipboard_and_says_so()
    {
        var (session, email) = await app.SignedInUserAsync("copy-ehr");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);

        await using var run = await BrowserRun.StartAsync(app, ["clipboard-read", "clipboard-write"]);
        var page = run.Page;
        await run.SignInAsync(email);
        await page.GotoAsync($"{run.BaseUrl}/Jobs/{jobId}");
        var button = page.Locator("button[data-copy-target='ehr-assessment']");
        Assert.Equal("Copy for the EHR: Assessment", await button.TextContentAsync());
        await button.ClickAsync();
        await page.Locator("#ehr-assessment-status").GetByText("Copied as plain text.").WaitForAsync();
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.StartsWith("1) Primary open-angle glaucoma, right eye, moderate stage", copied, StringComparison.Ordinal);
        Assert.Contains("ICD-10-CM: H40.1112 – Primary open-angle glaucoma, right eye, moderate stage", copied, StringComparison.Ordinal);
        Assert.DoesNotContain("**", copied, StringComparison.Ordinal);
        Assert.DoesNotContain("<", copied, StringComparison.Ordinal);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        session.Dispose();
    }
}
