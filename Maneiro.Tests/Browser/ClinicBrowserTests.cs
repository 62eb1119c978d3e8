using System.Text.RegularExpressions;
using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>
/// A clinic in the browser: the admin invites a clinician and a staff member, the staff member uploads a note for the
/// clinician and drafts an insurance letter, and the clinician signs it on the clinic letterhead. The new pages stay
/// accessible.
/// </summary>
public sealed partial class ClinicBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task An_admin_invites_staff_draft_an_insurance_letter_and_the_clinician_signs_it()
    {
        var (adminSession, admin) = await app.SignedInUserAsync("clinic-admin");
        var (clinicianSession, clinician) = await app.SignedInUserAsync("clinic-doctor");
        var (_, staff) = await app.SignedInUserAsync("clinic-staff");
        await adminSession.FollowAsync(await adminSession.SubmitAsync("/Account/Manage/Letterhead", new Dictionary<string, string> { ["Form.ClinicName"] = "Clínica São Lucas" }));
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: ("Request", ["Timolol is medically necessary for moderate glaucoma (H40.1112) [1]."])));

        await using var run = await BrowserRun.StartAsync(app);
        var page = run.Page;

        // The admin invites both from the clinic page.
        await run.SignInAsync(admin);
        await page.GetByRole(AriaRole.Link, new() { Name = "Clinic", Exact = true }).ClickAsync();
        await page.GetByLabel("Clinic name").FillAsync("Clínica São Lucas");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        await InviteAsync(page, clinician, "Clinician");
        await InviteAsync(page, staff, "Staff");
        Assert.Equal(2, await page.Locator("#invitations li").CountAsync());
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit trail" }).ClickAsync();
        await page.GetByLabel("Action").SelectOptionAsync("clinic.invited");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        Assert.Equal(2, await page.Locator("#audit tbody tr").CountAsync());
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await run.SignOutAsync();

        // Each accepts from the e-mailed link.
        await AcceptAsync(run, clinician);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await run.SignOutAsync();
        await AcceptAsync(run, staff);
        Assert.Equal("staff", await page.Locator("#my-role").TextContentAsync());

        // The staff member uploads a note for the clinician and drafts an insurance letter from it.
        await page.GotoAsync(run.BaseUrl + "/");
        await page.GetByLabel("For clinician").SelectOptionAsync(new SelectOptionValue { Label = $"Ana Souza ({clinician})" });
        await page.GetByLabel("…or paste the note's text").FillAsync(TestDocuments.OphthalmologyNote);
        await page.GetByRole(AriaRole.Button, new() { Name = "Analyze", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(JobPage(), BrowserHost.NavigationOnly);
        await page.GetByLabel("Kind of letter").WaitForAsync(new() { Timeout = 60_000 });
        await page.GetByLabel("Kind of letter").SelectOptionAsync(new SelectOptionValue { Label = "Insurance / prior authorization" });
        await page.GetByLabel("Recipient name").FillAsync("Acme Health Plan");
        await page.GetByRole(AriaRole.Button, new() { Name = "Draft the letter" }).ClickAsync();
        await page.WaitForURLAsync(LetterPage(), BrowserHost.NavigationOnly);
        var letterUrl = page.Url;
        // The page reloads itself once when drafting ends; the reloaded page says the letter is finished.
        await page.Locator("#job-progress[data-finished='true']").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Contains("Draft — not signed", await page.Locator("#signature-state").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Sign with my signature" }).CountAsync());
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await run.SignOutAsync();

        // The clinician reviews and signs it; the PDF is on the clinic letterhead with the clinician's signature.
        await clinicianSession.FollowAsync(await clinicianSession.SubmitAsync("/Account/Manage/Letterhead", new Dictionary<string, string> { ["Form.ProviderName"] = "Dr. Bruno Costa", ["Form.Credentials"] = "MD" }));
        await run.SignInAsync(clinician);
        await page.GotoAsync(letterUrl);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign with my signature" }).ClickAsync();
        await page.Locator(".toast").WaitForAsync();
        Assert.Contains("Signed by Ana Souza", await page.Locator("#signature-state").TextContentAsync(), StringComparison.Ordinal);
        using var pdf = await clinicianSession.Client.GetAsync(new Uri(new Uri(letterUrl).AbsolutePath.Replace("/Letters/", "/letters/", StringComparison.Ordinal) + "/pdf?anyway=true", UriKind.Relative));
        var text = Letters.LetterFlowTests.PdfText(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("Clínica São Lucas", text, StringComparison.Ordinal);
        Assert.Contains("Dr. Bruno Costa, MD", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DRAFT", text, StringComparison.Ordinal);
        adminSession.Dispose();
        clinicianSession.Dispose();
    }

    private static async Task InviteAsync(IPage page, string email, string role)
    {
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = role });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
        await page.GetByText($"An invitation was sent to {email}.").WaitForAsync();
    }

    private async Task AcceptAsync(BrowserRun run, string email)
    {
        var link = MailPickup.LinkPath(await app.Mail.WaitForAsync(email, "invited"));
        await run.SignInAsync(email);
        await run.Page.GotoAsync(run.BaseUrl + link);
        await run.Page.GetByRole(AriaRole.Button, new() { Name = "Accept and join" }).ClickAsync();
        await run.Page.GetByText("You joined Clínica São Lucas.").WaitForAsync();
    }

    [GeneratedRegex("/Jobs/[0-9a-f]{32}$")]
    private static partial Regex JobPage();

    [GeneratedRegex("/Letters/[0-9a-f]{32}$")]
    private static partial Regex LetterPage();
}
