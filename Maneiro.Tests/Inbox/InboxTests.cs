using System.Net;
using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Tests.Clinics;
using Maneiro.Web.Inbox;

namespace Maneiro.Tests.Inbox;

/// <summary>
/// The clinic inbox over HTTP with the fake model: documents are read and triaged with quotes checked against the page,
/// clinic rules set urgency, an assignment reuses the text already read, roles decide every action, and another
/// clinic's member finds nothing.
/// </summary>
public sealed class InboxTests(ClinicApp app) : IClassFixture<ClinicApp>
{
    private sealed record Member(BrowserSession Session, string Email, string UserId);

    private sealed record Clinic(Member Admin, Member Clinician, Member Staff);

    private const string Referral = """
        FAX  Lakeside Eye Associates   Fax (555) 201-7788
        From: Dr. Paulo Mendes
        Re: Maria Lopes   DOB 03/14/1958
        Sudden flashes and a curtain over the left eye since yesterday.
        Please see urgently for possible retinal detachment.
        Visual acuity 20/40 in the left eye, 20/20 in the right. No history of trauma.
        Insurance: Acme Health Plan, member 4471-22. Please call our office to confirm the appointment.
        """;

    [Fact]
    public async Task Each_kind_of_document_is_triaged_and_a_value_without_its_quote_on_the_page_is_left_empty()
    {
        var clinic = await ClinicAsync();
        var kinds = Enum.GetValues<IntakeKind>();

        // The model answers by the marker in each document, so the batch may be read in any order.
        app.OpenAi.AnswerTriage(body =>
        {
            var kind = kinds.First(k => body.Contains("KIND-" + k, StringComparison.Ordinal));
            return InboxFlows.TriageAnswer(
                kind: Maneiro.Grains.Domain.Inbox.TriageDocument.NameOf(kind),
                urgency: kind == IntakeKind.LabResult ? "stat" : "routine",
                patient: InboxFlows.Quoted("Patient " + kind, "Patient: Patient " + kind),
                dateOfBirth: InboxFlows.Quoted("1958-03-14", "DOB 1958-03-14"),
                provider: InboxFlows.Quoted("Dr. Invented", "From: Dr. Invented"),
                facts: [("Marker present", "KIND-" + kind), ("Made up", "not in this document")]);
        });
        var items = new Dictionary<IntakeKind, string>();
        foreach (var kind in kinds)
        {
            items[kind] = await InboxFlows.AddAsync(clinic.Staff.Session, TestDocuments.TextPdf($"KIND-{kind}\nPatient: Patient {kind}\nDOB 1958-03-14\n{Referral}"), $"{kind}.pdf");
        }

        foreach (var (kind, id) in items)
        {
            var item = await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id);
            Assert.True(item.GetProperty("status").GetString() == "Triaged", item.ToString());
            Assert.Equal(kind.ToString(), item.GetProperty("kind").GetString());
            Assert.Equal("Patient " + kind, item.GetProperty("patientName").GetString());
            Assert.Equal("TextLayer", item.GetProperty("textSource").GetString());
        }

        // The sender's quote is not on the page: empty, and the page says so; of the facts, only the quoted one stays.
        var (_, page, _) = await clinic.Clinician.Session.GetAsync($"/Inbox/{items[IntakeKind.Referral]}");
        Assert.Contains("id=\"Edit_SenderProvider\" name=\"Edit.SenderProvider\" value=\"\"", page, StringComparison.Ordinal);
        Assert.Contains("Not stated in the document.", page, StringComparison.Ordinal);
        Assert.Contains("On the page: \u201CPatient: Patient Referral\u201D", System.Net.WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Contains("Marker present", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Made up", page, StringComparison.Ordinal);
        Assert.Contains("2 values were left empty", page, StringComparison.Ordinal);

        // Every member sees the inbox; the stat item comes first. (The index row follows the item's saved outcome.)
        var inbox = await Eventually.ReturnsAsync(
            async () => (await clinic.Admin.Session.GetAsync("/Inbox")).Html,
            html => items.Values.All(id => html.Contains($"data-item-id=\"{id}\" data-status=\"Triaged\"", StringComparison.Ordinal)),
            "every item is listed as triaged");
        var first = inbox.IndexOf("data-item-id=\"", StringComparison.Ordinal);
        Assert.Equal(items[IntakeKind.LabResult], inbox.Substring(first + "data-item-id=\"".Length, 32));
        Assert.All(items.Values, id => Assert.Contains(id, inbox, StringComparison.Ordinal));

        // Filters: by kind, by patient.
        var (_, byKind, _) = await clinic.Admin.Session.GetAsync("/Inbox?kind=Prescription");
        Assert.Contains(items[IntakeKind.Prescription], byKind, StringComparison.Ordinal);
        Assert.DoesNotContain(items[IntakeKind.Referral], byKind, StringComparison.Ordinal);
        var (_, byPatient, _) = await clinic.Admin.Session.GetAsync("/Inbox?patient=patient%20imagingreport");
        Assert.Contains(items[IntakeKind.ImagingReport], byPatient, StringComparison.Ordinal);
        Assert.DoesNotContain(items[IntakeKind.Referral], byPatient, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clinic_urgency_rule_wins_over_the_model_and_the_page_says_why_with_the_clinic_s_scheduling_suggestion()
    {
        var clinic = await ClinicAsync();
        await clinic.Admin.Session.FollowAsync(await clinic.Admin.Session.SubmitAsync("/Inbox/Settings", new Dictionary<string, string> { ["kind"] = "", ["keyword"] = "retinal detachment", ["urgency"] = "Stat" }, handler: "AddRule"));
        var table = new Dictionary<string, string>();
        foreach (var (urgency, i) in Enum.GetValues<IntakeUrgency>().Select((u, i) => (u, i)))
        {
            table[$"Schedule[{i}].Urgency"] = urgency.ToString();
            table[$"Schedule[{i}].Timing"] = urgency == IntakeUrgency.Stat ? "Within two hours" : "Next free slot";
            table[$"Schedule[{i}].VisitMinutes"] = "40";
        }

        await clinic.Admin.Session.FollowAsync(await clinic.Admin.Session.SubmitAsync("/Inbox/Settings", table, handler: "Schedule"));

        // Staff cannot change the rules, even by posting the form.
        var forged = await clinic.Staff.Session.FollowAsync(await clinic.Staff.Session.SubmitAsync("/Inbox/Settings", new Dictionary<string, string> { ["keyword"] = "x", ["urgency"] = "Routine" }, handler: "AddRule"));
        Assert.Contains("Only a clinic admin can do that.", forged.Html, StringComparison.Ordinal);

        app.OpenAi.AnswerTriage(_ => InboxFlows.TriageAnswer(kind: "referral", urgency: "routine", reason: "A routine referral.", patient: InboxFlows.Quoted("Maria Lopes", "Re: Maria Lopes")));
        var id = await InboxFlows.AddAsync(clinic.Staff.Session, TestDocuments.TextPdf(Referral), "referral.pdf");
        var item = await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id);
        Assert.Equal("Stat", item.GetProperty("urgency").GetString());

        var (_, page, _) = await clinic.Clinician.Session.GetAsync($"/Inbox/{id}");
        var text = System.Net.WebUtility.HtmlDecode(page);
        Assert.Contains("Set to stat by the clinic's rule: the document mentions \u201Cretinal detachment\u201D.", text, StringComparison.Ordinal);
        Assert.Contains("Suggested appointment: <strong>Within two hours</strong>, a 40-minute visit.", text, StringComparison.Ordinal);

        // A member's edit of the urgency replaces the rule's, and says so.
        var edited = await clinic.Staff.Session.FollowAsync(await clinic.Staff.Session.SubmitAsync($"/Inbox/{id}", new Dictionary<string, string> { ["Edit.Kind"] = "Referral", ["Edit.Urgency"] = "Urgent", ["Edit.PatientName"] = "Maria S. Lopes", ["Edit.PatientDateOfBirth"] = "1958-03-14" }, handler: "Edit"));
        Assert.Contains("Set to urgent by a member of the clinic.", edited.Html, StringComparison.Ordinal);
        Assert.Contains("Entered by a member of the clinic.", edited.Html, StringComparison.Ordinal);
        Assert.Equal("Maria S. Lopes", (await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id)).GetProperty("patientName").GetString());
    }

    [Fact]
    public async Task Assigning_a_scanned_prior_authorization_request_reuses_its_text_and_staff_draft_the_insurance_letter_for_the_clinician()
    {
        var clinic = await ClinicAsync();
        app.OpenAi.AnswerTriage(body => InboxFlows.TriageAnswer(
            kind: "prior_authorization_request",
            urgency: "soon",
            provider: InboxFlows.Quoted("Acme Health Plan", "Acme Health Plan"),
            suggestedClinician: clinic.Clinician.Email));
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: ("Request", ["Please authorize timolol eye drops for the right eye."])));
        var scan = await TestDocuments.ScannedPdfAsync("Acme Health Plan\nPrior authorization request\nMember: John Carter", "Requested: timolol eye drops\nPlease reply by fax");
        var id = await InboxFlows.AddAsync(clinic.Staff.Session, scan, "fax.pdf");
        var item = await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id);
        Assert.Equal("Ocr", item.GetProperty("textSource").GetString());
        Assert.Equal(2, item.GetProperty("pages").GetInt32());
        Assert.Equal(2, await UsedAsync(clinic.Staff, UsageKind.OcrPages));

        // Its pages show beside the fields, as images; there is no third page.
        using (var pageImage = await clinic.Staff.Session.Client.GetAsync(new Uri($"/inbox/{id}/pages/2", UriKind.Relative)))
        {
            Assert.Equal("image/png", pageImage.Content.Headers.ContentType?.MediaType);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await pageImage.Content.ReadAsByteArrayAsync())[..4]);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await clinic.Staff.Session.GetAsync($"/inbox/{id}/pages/3")).Status);

        // The suggested clinician is preselected; staff assign.
        var (_, page, _) = await clinic.Staff.Session.GetAsync($"/Inbox/{id}");
        Assert.Contains($"<option value=\"{clinic.Clinician.UserId}\" selected=\"selected\">", page, StringComparison.Ordinal);
        await clinic.Staff.Session.FollowAsync(await clinic.Staff.Session.SubmitAsync($"/Inbox/{id}", new Dictionary<string, string> { ["clinicianId"] = clinic.Clinician.UserId }, handler: "Assign"));
        item = await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id);
        Assert.Equal("Assigned", item.GetProperty("status").GetString());
        var analysisId = item.GetProperty("analysisId").GetString()!;

        var analysis = await JobsApp.WaitForFinishAsync(clinic.Clinician.Session, analysisId);
        Assert.Equal("Complete", JobsApp.StageOf(analysis));
        var progress = (await app.Grains.GetGrain<IAnalysisGrain>(analysisId).GetProgress())!;
        Assert.Equal(TextSource.Ocr, progress.TextSource);
        Assert.DoesNotContain(progress.History, h => h.Stage == JobStage.Ocr);
        Assert.Contains("Requested: timolol", (await app.Grains.GetGrain<IAnalysisGrain>(analysisId).GetResult())!.ExtractedText, StringComparison.Ordinal);

        // Read once, counted once: the clinician pays one analysis and no OCR pages; the uploader's pages stand.
        Assert.Equal(2, await UsedAsync(clinic.Staff, UsageKind.OcrPages));
        Assert.Equal(0, await UsedAsync(clinic.Clinician, UsageKind.OcrPages));
        Assert.Equal(1, await UsedAsync(clinic.Clinician, UsageKind.Analyses));

        // Assigning again to the same clinician changes nothing.
        await clinic.Staff.Session.FollowAsync(await clinic.Staff.Session.SubmitAsync($"/Inbox/{id}", new Dictionary<string, string> { ["clinicianId"] = clinic.Clinician.UserId }, handler: "Assign"));
        Assert.Equal(analysisId, (await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id)).GetProperty("analysisId").GetString());
        Assert.Equal(1, await UsedAsync(clinic.Clinician, UsageKind.Analyses));

        // The request goes straight to the insurance letter, drafted by staff for the clinician's signature.
        var drafted = await clinic.Staff.Session.SubmitAsync($"/Inbox/{id}", new Dictionary<string, string>(), handler: "InsuranceLetter");
        Assert.Equal(HttpStatusCode.Redirect, drafted.StatusCode);
        var letterId = drafted.Headers.Location!.OriginalString["/Letters/".Length..];
        var letter = await JobsApp.WaitForLetterAsync(clinic.Clinician.Session, letterId);
        Assert.Equal("Complete", letter.GetProperty("stage").GetString());
        var status = (await app.Grains.GetGrain<ILetterGrain>(letterId).GetStatus())!;
        Assert.Equal(LetterKind.PriorAuthorization, status.Request.Kind);
        Assert.Equal(clinic.Clinician.UserId, status.Request.OwnerId);
        Assert.True(status.IsDraft);
        Assert.Equal("Acme Health Plan", status.Request.Recipient.Name);

        // Done keeps it in the history.
        await clinic.Staff.Session.FollowAsync(await clinic.Staff.Session.SubmitAsync($"/Inbox/{id}", new Dictionary<string, string>(), handler: "Done"));
        var (_, done, _) = await clinic.Admin.Session.GetAsync("/Inbox?status=Done");
        Assert.Contains(id, done, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Roles_decide_every_inbox_action_and_another_clinic_s_member_finds_nothing()
    {
        var clinic = await ClinicAsync();
        var office = await AddMemberAsync(clinic.Admin, "office", ClinicRoles.Admin);
        var stranger = await NewMemberAsync("stranger");
        app.OpenAi.AnswerTriage(_ => InboxFlows.TriageAnswer(frontDesk: ["Book the visit"], clinician: ["Review the referral"]));

        // An admin without a clinical role reads the inbox but cannot add to it.
        var refused = await InboxFlows.UploadAsync(office.Session, TestDocuments.TextPdf(Referral), "referral.pdf");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("does not include working on the inbox", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var id = await InboxFlows.AddAsync(clinic.Staff.Session, TestDocuments.TextPdf(Referral), "referral.pdf");
        await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id);

        async Task<string> PostAsync(Member member, string handler, Dictionary<string, string> fields) =>
            System.Net.WebUtility.HtmlDecode((await member.Session.FollowAsync(await member.Session.SubmitAsync($"/Inbox/{id}", fields, handler: handler))).Html);
        var tickFront = new Dictionary<string, string> { ["list"] = "front", ["index"] = "0", ["done"] = "true" };
        var tickClinician = new Dictionary<string, string> { ["list"] = "clinician", ["index"] = "0", ["done"] = "true" };
        var edit = new Dictionary<string, string> { ["Edit.Kind"] = "Referral", ["Edit.Urgency"] = "Soon" };
        var assign = new Dictionary<string, string> { ["clinicianId"] = clinic.Clinician.UserId };

        // The office admin: every change refused, by the grain even though the page hides the controls.
        Assert.Contains("does not include working on the inbox", await PostAsync(office, "Edit", edit), StringComparison.Ordinal);
        Assert.Contains("does not include working on the inbox", await PostAsync(office, "Tick", tickFront), StringComparison.Ordinal);
        Assert.Contains("does not include working on the inbox", await PostAsync(office, "Assign", assign), StringComparison.Ordinal);
        Assert.Contains("does not include working on the inbox", await PostAsync(office, "Done", []), StringComparison.Ordinal);

        // Staff tick front-desk tasks but not the clinician's.
        Assert.Contains("Ticked.", await PostAsync(clinic.Staff, "Tick", tickFront), StringComparison.Ordinal);
        Assert.Contains("Only a clinician can tick the clinician's tasks.", await PostAsync(clinic.Staff, "Tick", tickClinician), StringComparison.Ordinal);
        Assert.Contains("Ticked.", await PostAsync(clinic.Clinician, "Tick", tickClinician), StringComparison.Ordinal);
        var view = (await app.Grains.GetGrain<IIntakeItemGrain>(id).View())!;
        Assert.Equal(clinic.Staff.UserId, view.Triage!.FrontDeskTasks[0].DoneBy);
        Assert.Equal(clinic.Clinician.UserId, view.Triage.ClinicianTasks[0].DoneBy);

        // Only a clinician of this clinic can be assigned.
        Assert.Contains("Choose a clinician of this clinic.", await PostAsync(clinic.Staff, "Assign", new Dictionary<string, string> { ["clinicianId"] = stranger.UserId }), StringComparison.Ordinal);
        Assert.Contains("Choose a clinician of this clinic.", await PostAsync(clinic.Staff, "Assign", new Dictionary<string, string> { ["clinicianId"] = clinic.Staff.UserId }), StringComparison.Ordinal);

        // The grain refuses a caller that skips the web's checks, too.
        await Assert.ThrowsAsync<ClinicRefusedException>(() => app.Grains.GetGrain<IIntakeItemGrain>(id).Tick(office.UserId, false, 0, true));
        await Assert.ThrowsAsync<ClinicRefusedException>(() => app.Grains.GetGrain<IIntakeItemGrain>(id).Edit(stranger.UserId, new IntakeEdit(IntakeKind.Other, IntakeUrgency.Routine, "", "", "", "", "")));

        // Another clinic's member: 404 on the page, the API, the original and every action; not in their inbox.
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Session.GetAsync($"/Inbox/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Session.GetAsync($"/api/inbox/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Session.GetAsync($"/inbox/{id}/file")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Session.GetAsync($"/inbox/{id}/pages/1")).Status);
        var (_, ownPage, _) = await clinic.Clinician.Session.GetAsync($"/Inbox/{id}");
        var token = BrowserSession.AntiforgeryToken((await stranger.Session.GetAsync("/Inbox")).Html)!;
        foreach (var handler in new[] { "Edit", "Tick", "Assign", "Done", "InsuranceLetter" })
        {
            using var post = new FormUrlEncodedContent(new Dictionary<string, string>(tickFront) { ["__RequestVerificationToken"] = token, ["clinicianId"] = stranger.UserId });
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Session.Client.PostAsync(new Uri($"/Inbox/{id}?handler={handler}", UriKind.Relative), post)).StatusCode);
        }

        Assert.Contains("Review the referral", ownPage, StringComparison.Ordinal);
        Assert.DoesNotContain(id, (await stranger.Session.GetAsync("/Inbox")).Html, StringComparison.Ordinal);
        var bulk = await stranger.Session.SubmitAsync("/Inbox", new Dictionary<string, string> { ["items"] = id, ["clinicianId"] = stranger.UserId }, handler: "Assign");
        Assert.Equal(HttpStatusCode.NotFound, bulk.StatusCode);
        Assert.Null((await app.Grains.GetGrain<IIntakeItemGrain>(id).View())!.AssignedTo);
    }

    [Fact]
    public async Task A_recording_is_refused_with_nothing_kept_and_a_fax_over_fifty_pages_fails_with_a_plain_message()
    {
        var clinic = await ClinicAsync();
        var blobsBefore = app.StoredBlobCount();
        var audio = await InboxFlows.UploadAsync(clinic.Staff.Session, await TestDocuments.SpeechWavAsync("Patient reports blurred vision."), "dictation.wav");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, audio.StatusCode);
        Assert.Equal(InboxIntake.NotADocument, JsonDocument.Parse(await audio.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(blobsBefore, app.StoredBlobCount());

        var id = await InboxFlows.AddAsync(clinic.Staff.Session, TestDocuments.MultiPageTiff(51), "long-fax.tiff");
        var item = await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id);
        Assert.Equal("Failed", item.GetProperty("status").GetString());
        Assert.Equal("This scan has 51 pages; OCR reads at most 50. Split it and upload the parts.", item.GetProperty("error").GetString());
        Assert.Equal(0, await UsedAsync(clinic.Staff, UsageKind.OcrPages));

        // A failed item can be cleared from the open list.
        var (_, page, _) = await clinic.Staff.Session.FollowAsync(await clinic.Staff.Session.SubmitAsync($"/Inbox/{id}", new Dictionary<string, string>(), handler: "Done"));
        Assert.Contains("Marked done", page, StringComparison.Ordinal);
        Assert.Equal("Done", (await InboxFlows.WaitForTriageAsync(clinic.Staff.Session, id)).GetProperty("status").GetString());
    }

    private async Task<Clinic> ClinicAsync()
    {
        var admin = await NewMemberAsync("admin");
        var clinician = await AddMemberAsync(admin, "clinician", ClinicRoles.Clinician);
        var staff = await AddMemberAsync(admin, "staff", ClinicRoles.Staff);
        return new Clinic(admin, clinician, staff);
    }

    private async Task<Member> AddMemberAsync(Member admin, string name, ClinicRoles roles)
    {
        var (session, email, userId) = await ClinicFlows.AddMemberAsync(app, admin.Session, name, roles);
        return new Member(session, email, userId);
    }

    private async Task<Member> NewMemberAsync(string name)
    {
        var (session, email) = await app.SignedInUserAsync(name);
        return new Member(session, email, await app.UserIdAsync(email));
    }

    private async Task<int> UsedAsync(Member member, UsageKind kind) =>
        (await app.UserGrain(member.UserId).GetSnapshot()).Usage.Single(u => u.Kind == kind).Used;
}
