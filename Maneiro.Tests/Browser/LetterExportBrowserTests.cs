using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>A letter whose draft had an unchecked code taken out: the download waits until the doctor confirms it.</summary>
public sealed class LetterExportBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task Open_code_items_must_be_ticked_before_the_pdf_downloads_and_the_page_stays_accessible()
    {
        var (session, email) = await app.SignedInUserAsync("gated");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(await JobsApp.WaitForFinishAsync(session, jobId)));
        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: ("Reason for referral", ["Glaucoma H40.1112, and the model's own H40.99ZZ."])));
        var letter = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "en", ["Letter.RecipientName"] = "Dr. Ana Silva" }, handler: "Letter");
        var letterPath = letter.Headers.Location!.OriginalString;
        await Eventually.TrueAsync(async () => (await session.GetAsync(letterPath)).Html.Contains("I checked what happened to H40.99ZZ", StringComparison.Ordinal), "the letter was drafted");

        await using var run = await BrowserRun.StartAsync(app);
        var page = run.Page;
        await run.SignInAsync(email);
        await page.GotoAsync(run.BaseUrl + letterPath);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));

        // Unticked, the form does not submit: the box is required, and the browser says so on it.
        var tick = page.GetByLabel("I checked what happened to H40.99ZZ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Download PDF" }).ClickAsync();
        Assert.False(await tick.EvaluateAsync<bool>("box => box.validity.valid"));
        Assert.EndsWith(letterPath, page.Url, StringComparison.Ordinal);

        // Ticked, it downloads the PDF, without the code.
        await tick.CheckAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download PDF" }).ClickAsync());
        var saved = Path.Combine(Path.GetTempPath(), $"gated-{Guid.NewGuid():N}.pdf");
        await download.SaveAsAsync(saved);
        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(saved))
        {
            var text = string.Join(' ', pdf.GetPages().Select(p => p.Text));
            Assert.Contains("H40.1112", text, StringComparison.Ordinal);
            Assert.DoesNotContain("99ZZ", text, StringComparison.Ordinal);
        }

        File.Delete(saved);
        session.Dispose();
    }
}
