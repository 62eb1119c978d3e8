using Maneiro.Testing;
using Maneiro.Tests.Fhir;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>An admin connects the clinic's FHIR server; a clinician downloads the analysis as FHIR and sends it. The pages stay accessible.</summary>
public sealed class HealthRecordBrowserTests(FhirApp app) : IClassFixture<FhirApp>
{
    [Fact]
    public async Task An_admin_connects_the_fhir_server_then_the_analysis_is_downloaded_and_sent_from_its_page()
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer(birthDate: "1958-03-14"));
        app.Fhir.AnswerCreated();
        var (session, email) = await app.SignedInUserAsync("record-browser");
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        await JobsApp.WaitForFinishAsync(session, jobId);
        await using var run = await BrowserRun.StartAsync(app);
        var page = run.Page;
        await run.SignInAsync(email);

        // Before a server is connected, the record can only be downloaded, and the page says how to connect one.
        await page.GotoAsync($"{run.BaseUrl}/Jobs/{jobId}");
        await page.Locator("#record-link").ClickAsync();
        await page.Locator("#no-destination").WaitForAsync();
        Assert.Equal(0, await page.Locator("#send-fhir").CountAsync());
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await page.GetByRole(AriaRole.Link, new() { Name = "Connect one" }).ClickAsync();

        // A plain-http address is refused with the reason; the https one is saved and the token never shown again.
        await page.GetByLabel("FHIR server base address").FillAsync("http://ehr.example/fhir");
        await page.GetByLabel("Bearer token").FillAsync(FhirPart.Token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.GetByText("must start with https://").First.WaitForAsync();
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await page.GetByLabel("FHIR server base address").FillAsync(app.Fhir.BaseUrl);
        await page.GetByLabel("Bearer token").FillAsync(FhirPart.Token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.GetByText("Clinicians can now send analyses to ehr.example").WaitForAsync();
        Assert.DoesNotContain(FhirPart.Token, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));

        // Download, then send.
        await page.GotoAsync($"{run.BaseUrl}/Jobs/{jobId}/Record");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-fhir").ClickAsync());
        Assert.EndsWith(".fhir.json", download.SuggestedFilename, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send to ehr.example" }).ClickAsync();
        await page.Locator("#send-outcome #created-ids").WaitForAsync();
        Assert.Contains("Patient/", await page.Locator("#created-ids").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
    }
}
