using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>
/// The clinic inbox in the browser: staff drop a two-page fax while a clinician has the inbox open; the item appears
/// for the clinician live and is triaged as an urgent referral; the clinician takes it, opens the analysis made from
/// the text already read and drafts the referral reply. The inbox pages stay accessible.
/// </summary>
public sealed partial class InboxBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_fax_dropped_by_staff_appears_live_for_the_clinician_who_takes_it_and_drafts_the_reply()
    {
        var (adminSession, _) = await app.SignedInUserAsync("inbox-admin");
        var (_, clinician, _) = await ClinicFlows.AddMemberAsync(app, adminSession, "inbox-doctor", ClinicRoles.Clinician);
        var (_, staff, _) = await ClinicFlows.AddMemberAsync(app, adminSession, "inbox-staff", ClinicRoles.Staff);
        app.OpenAi.AnswerTriage(_ => InboxFlows.TriageAnswer(
            kind: "referral",
            urgency: "urgent",
            reason: "Possible retinal detachment.",
            provider: InboxFlows.Quoted("Dr. Paulo Mendes", "Paulo Mendes"),
            patient: InboxFlows.Quoted("Maria Lopes", "Maria Lopes"),
            facts: [("Flashes and a curtain over the left eye", "curtain over the left eye")],
            suggestedClinician: clinician,
            frontDesk: ["Book a visit within 48 hours"],
            clinician: ["Review the referral and reply to Dr. Mendes"]));
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: ("Reply", ["Thank you for referring Maria Lopes; we will see her within 48 hours."])));
        var fax = await TestDocuments.ScannedPdfAsync(
            "Lakeside Eye Associates\nReferral from Dr. Paulo Mendes\nPatient: Maria Lopes",
            "Sudden flashes and a curtain over the left eye.\nPlease see urgently.");

        await using var staffRun = await BrowserRun.StartAsync(app);
        await using var clinicianRun = await staffRun.SecondPersonAsync();

        // The clinician has the inbox open (and empty) before anything arrives.
        await clinicianRun.SignInAsync(clinician);
        await clinicianRun.Page.GetByRole(AriaRole.Link, new() { Name = "Inbox", Exact = true }).ClickAsync();
        await clinicianRun.Page.Locator("#inbox[data-connected='live']").WaitForAsync();
        Assert.Equal(0, await clinicianRun.Page.Locator("#inbox-rows tr").CountAsync());
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(clinicianRun.Page));

        // Staff drop the fax.
        await staffRun.SignInAsync(staff);
        await staffRun.Page.GotoAsync(staffRun.BaseUrl + "/Inbox");
        await staffRun.Page.Locator("#inbox-files").SetInputFilesAsync(new FilePayload { Name = "fax-0412.pdf", MimeType = "application/pdf", Buffer = fax });
        await staffRun.Page.GetByRole(AriaRole.Button, new() { Name = "Add to inbox" }).ClickAsync();
        await staffRun.Page.GetByText("fax-0412.pdf: added, being read.").WaitForAsync();
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(staffRun.Page));

        // It appears for the clinician without a reload, then shows as triaged: an urgent referral for Maria Lopes.
        var row = clinicianRun.Page.Locator("#inbox-rows tr[data-kind='Referral'][data-urgency='Urgent']");
        await row.WaitForAsync(new() { Timeout = 90_000 });
        Assert.Contains("Maria Lopes", await row.TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(clinicianRun.Page));

        // The clinician opens it, takes it (suggested to them) and opens the analysis of the text already read.
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await clinicianRun.Page.Locator("#urgency-reason").WaitForAsync();
        Assert.Contains("Possible retinal detachment.", await clinicianRun.Page.Locator("#urgency-reason").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("Within 24–48 hours", await clinicianRun.Page.Locator("#schedule-suggestion").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await clinicianRun.Page.Locator("#item-pages img").CountAsync());
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(clinicianRun.Page));
        await clinicianRun.Page.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await clinicianRun.Page.Locator(".toast").WaitForAsync();
        await clinicianRun.Page.Locator("#open-analysis").ClickAsync();
        await clinicianRun.Page.WaitForURLAsync(JobPage(), BrowserHost.NavigationOnly);

        // The reply to the referring doctor.
        await clinicianRun.Page.GetByLabel("Kind of letter").WaitForAsync(new() { Timeout = 60_000 });
        await clinicianRun.Page.GetByLabel("Kind of letter").SelectOptionAsync(new SelectOptionValue { Label = "Referral" });
        await clinicianRun.Page.GetByLabel("Recipient name").FillAsync("Dr. Paulo Mendes");
        await clinicianRun.Page.GetByRole(AriaRole.Button, new() { Name = "Draft the letter" }).ClickAsync();
        await clinicianRun.Page.WaitForURLAsync(LetterPage(), BrowserHost.NavigationOnly);
        await clinicianRun.Page.Locator("#job-progress[data-finished='true']").WaitForAsync(new() { Timeout = 60_000 });
        adminSession.Dispose();
    }

    [GeneratedRegex("/Jobs/[0-9a-f]{32}$")]
    private static partial Regex JobPage();

    [GeneratedRegex("/Letters/[0-9a-f]{32}$")]
    private static partial Regex LetterPage();
}
