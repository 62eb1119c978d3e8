using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Web.Jobs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Maneiro.Tests.Clinics;

/// <summary>The jobs app for a class that signs up a whole clinic per test (more sign-ups an hour than one person's IP gets).</summary>
public sealed class ClinicApp() : JobsApp(b => b.With("Security:RateLimits:RegisterPerIpPerHour", "500").With("Security:RateLimits:LoginPerIpPerMinute", "500"));

/// <summary>
/// A clinic as its members meet it over HTTP: an admin invites by e-mail, a clinician and a staff member accept, staff
/// upload for a clinician and draft the letters staff may draft, only a clinician signs, and a removal counts at once.
/// </summary>
public sealed partial class ClinicTests(ClinicApp app) : IClassFixture<ClinicApp>
{
    private sealed record Member(BrowserSession Session, string Email, string UserId);

    private sealed record Clinic(Member Admin, Member Clinician, Member Staff);

    [Fact]
    public async Task An_account_is_a_clinic_of_one_until_its_admin_invites_members_who_accept_by_e_mail()
    {
        var admin = await NewMemberAsync("admin");
        var (_, page, _) = await admin.Session.GetAsync("/Clinic");
        Assert.Contains("id=\"my-role\">admin and clinician<", page, StringComparison.Ordinal);
        Assert.Contains("It is a clinic of one", page, StringComparison.Ordinal);
        Assert.Equal(admin.UserId, await app.UserGrain(admin.UserId).CurrentClinicId());

        // An existing account (with its own clinic of one) and a brand-new one accept.
        var existing = await NewMemberAsync("clinician");
        var token = await InviteAsync(admin, existing.Email, ClinicRoles.Clinician);
        var (_, joinPage, _) = await existing.Session.GetAsync("/Clinic/Join?token=" + Uri.EscapeDataString(token));
        Assert.Contains("as <strong>clinician</strong>", joinPage, StringComparison.Ordinal);
        await existing.Session.FollowAsync(await existing.Session.SubmitAsync("/Clinic/Join?token=" + Uri.EscapeDataString(token), new Dictionary<string, string> { ["Token"] = token }));
        Assert.Equal(admin.UserId, await app.UserGrain(existing.UserId).CurrentClinicId());

        // The link works once.
        var again = await existing.Session.SubmitAsync("/Clinic/Join?token=" + Uri.EscapeDataString(token), new Dictionary<string, string> { ["Token"] = token });
        Assert.Contains("expired or was already used", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // An account paying for a plan of its own cannot join until that plan is cancelled.
        var paying = await NewMemberAsync("paying");
        await app.UserGrain(paying.UserId).ApplySubscription(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.Active, "cus_own", "sub_own", null, null, DateTimeOffset.UtcNow));
        var payingToken = await InviteAsync(admin, paying.Email, ClinicRoles.Clinician);
        var stillPaying = await paying.Session.SubmitAsync("/Clinic/Join?token=" + Uri.EscapeDataString(payingToken), new Dictionary<string, string> { ["Token"] = payingToken });
        Assert.Contains("has a paid plan of its own", System.Net.WebUtility.HtmlDecode(await stillPaying.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(paying.UserId, await app.UserGrain(paying.UserId).CurrentClinicId());

        // An invitation is for its address only.
        var stranger = await NewMemberAsync("stranger");
        var other = await InviteAsync(admin, JobsApp.NewEmail("staff"), ClinicRoles.Staff);
        var refused = await stranger.Session.SubmitAsync("/Clinic/Join?token=" + Uri.EscapeDataString(other), new Dictionary<string, string> { ["Token"] = other });
        Assert.Contains("This invitation is for", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(stranger.UserId, await app.UserGrain(stranger.UserId).CurrentClinicId());

        var (_, members, _) = await admin.Session.GetAsync("/Clinic");
        Assert.Contains($"data-member=\"{existing.Email}\"", members, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-member=\"{stranger.Email}\"", members, StringComparison.Ordinal);

        // A clinician sees the clinic but no admin controls, and cannot invite by posting the form anyway.
        var (_, asClinician, _) = await existing.Session.GetAsync("/Clinic");
        Assert.DoesNotContain("Send invitation", asClinician, StringComparison.Ordinal);
        var forged = await existing.Session.FollowAsync(await existing.Session.SubmitAsync("/Clinic", new Dictionary<string, string> { ["Invite.Email"] = "x@clinic.example", ["Invite.Roles"] = "2" }, handler: "Invite"));
        Assert.Contains("Only a clinic admin can do that.", System.Net.WebUtility.HtmlDecode(forged.Html), StringComparison.Ordinal);

        // The last admin can neither leave nor be demoted.
        var demote = await admin.Session.FollowAsync(await admin.Session.SubmitAsync("/Clinic", new Dictionary<string, string> { ["memberId"] = admin.UserId, ["roles"] = "2" }, handler: "Roles"));
        Assert.Contains("last admin cannot be demoted", demote.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_upload_for_a_clinician_and_draft_an_insurance_letter_that_only_a_clinician_of_the_clinic_signs()
    {
        var clinic = await ClinicAsync();
        var (admin, clinician, staff) = (clinic.Admin, clinic.Clinician, clinic.Staff);
        app.OpenAi.Answer(JobsApp.ModelAnswer());

        // Staff must say which clinician the document is for, and it must be one of this clinic's clinicians.
        var noClinician = await JobsApp.UploadAsync(staff.Session, null, text: TestDocuments.OphthalmologyNote);
        Assert.Equal(HttpStatusCode.BadRequest, noClinician.StatusCode);
        Assert.Contains(AnalysisSubmission.ChooseClinician, await noClinician.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var outsider = await NewMemberAsync("outsider");
        Assert.Equal(HttpStatusCode.BadRequest, (await JobsApp.UploadAsync(staff.Session, null, text: TestDocuments.OphthalmologyNote, forClinician: outsider.UserId)).StatusCode);

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(staff.Session, null, text: TestDocuments.OphthalmologyNote, forClinician: admin.UserId));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(await JobsApp.WaitForFinishAsync(staff.Session, jobId)));
        Assert.Equal(1, await UsedAsync(admin, UsageKind.Analyses));
        Assert.Equal(0, await UsedAsync(staff, UsageKind.Analyses));

        // Its audit rows name the clinic: the staff member's upload and start (their clinic as the request read it) and
        // the clinician's completion.
        var clinicId = await app.UserGrain(admin.UserId).CurrentClinicId();
        Assert.Equal(clinicId, await app.UserGrain(staff.UserId).CurrentClinicId());
        await app.Database.WaitForAuditRowsAsync($"target = '{jobId}' AND action = 'job.completed'");
        var rows = await app.Database.ScalarAsync<string>($"SELECT string_agg(action || ' ' || user_id || ' ' || coalesce(clinic_id, '-'), ', ' ORDER BY id) FROM audit_log WHERE target = '{jobId}'");
        Assert.Equal($"job.upload {staff.UserId} {clinicId}, job.started {staff.UserId} {clinicId}, job.completed {admin.UserId} {clinicId}", rows);

        // The owner and the staff member who uploaded it see it; the other clinician does not.
        Assert.Equal(HttpStatusCode.OK, (await admin.Session.GetAsync($"/Jobs/{jobId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await clinician.Session.GetAsync($"/Jobs/{jobId}")).Status);
        Assert.Contains($"data-job-id=\"{jobId}\"", (await staff.Session.GetAsync("/")).Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await staff.Session.GetAsync($"/Jobs/{jobId}/Delete")).Status);

        // The grains hold the same rule: work for a clinician by someone outside their clinic, or a kind staff may not
        // draft, is refused there too, whoever calls.
        var forged = new AnalysisRequest(admin.UserId, "blob-key", InputKind.Text, "text/plain", 10, "auto", false, outsider.UserId);
        await Assert.ThrowsAsync<ClinicRefusedException>(() => app.Grains.GetGrain<IAnalysisGrain>(Guid.NewGuid().ToString("N")).Start(forged));
        var recipient = new LetterRecipient("Dr. Ana Silva", "", "", null);
        await Assert.ThrowsAsync<ClinicRefusedException>(() => app.Grains.GetGrain<ILetterGrain>(Guid.NewGuid().ToString("N")).Start(new LetterRequest(admin.UserId, jobId, LetterKind.PriorAuthorization, "en", recipient, outsider.UserId)));
        await Assert.ThrowsAsync<ClinicRefusedException>(() => app.Grains.GetGrain<ILetterGrain>(Guid.NewGuid().ToString("N")).Start(new LetterRequest(admin.UserId, jobId, LetterKind.Referral, "en", recipient, staff.UserId)));

        // Staff cannot draft a referral, but drafts a prior authorization: a draft, unsigned, marked in the PDF.
        var referral = await RequestLetterAsync(staff, jobId, LetterKind.Referral);
        Assert.Equal(HttpStatusCode.OK, referral.StatusCode);
        Assert.Contains("Staff draft patient summaries and insurance letters", await referral.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: ("Request", ["Timolol is medically necessary for moderate glaucoma (H40.1112) [1]."])));
        var letterId = LetterIdOf(await RequestLetterAsync(staff, jobId, LetterKind.PriorAuthorization));
        var letter = await JobsApp.WaitForLetterAsync(staff.Session, letterId);
        Assert.Equal("Complete", letter.GetProperty("stage").GetString());
        Assert.Equal(1, await UsedAsync(admin, UsageKind.Letters));
        Assert.Contains("Draft — not signed", (await staff.Session.GetAsync($"/Letters/{letterId}")).Html, StringComparison.Ordinal);

        await SetLetterheadAsync(admin, "Clínica São Lucas", "Dra. Helena Ribeiro");
        await SetLetterheadAsync(clinician, "Ignored: not an admin", "Dr. Bruno Costa");
        var draftPdf = await PdfTextAsync(staff, letterId);
        Assert.Contains("DRAFT — NOT SIGNED", draftPdf, StringComparison.Ordinal);
        Assert.Contains("Clínica São Lucas", draftPdf, StringComparison.Ordinal);
        Assert.DoesNotContain("Helena Ribeiro", draftPdf, StringComparison.Ordinal);

        // Staff cannot sign; the other clinician cannot even open it (whatever they post).
        var staffSign = await staff.Session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string>(), handler: "Sign");
        Assert.Equal(HttpStatusCode.Forbidden, staffSign.StatusCode);
        var token = BrowserSession.AntiforgeryToken((await clinician.Session.GetAsync("/")).Html)!;
        Assert.Equal(HttpStatusCode.NotFound, (await clinician.Session.PostAsync($"/Letters/{letterId}?handler=Sign", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["clinicianId"] = admin.UserId })).StatusCode);

        // The owner signs: the clinic's letterhead and the owner's own signature, never the other clinician's.
        await admin.Session.FollowAsync(await admin.Session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string> { ["clinicianId"] = clinician.UserId }, handler: "Sign"));
        var signed = await PdfTextAsync(admin, letterId);
        Assert.Contains("Clínica São Lucas", signed, StringComparison.Ordinal);
        Assert.Contains("Dra. Helena Ribeiro", signed, StringComparison.Ordinal);
        Assert.DoesNotContain("Bruno Costa", signed, StringComparison.Ordinal);
        Assert.DoesNotContain("DRAFT", signed, StringComparison.Ordinal);

        // A signed letter leaves through a clinician only; a staff edit makes it a draft again.
        using (var staffExport = await staff.Session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, staffExport.StatusCode);
        }

        await staff.Session.FollowAsync(await staff.Session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string> { ["Subject"] = "Prior authorization", ["Body"] = "An edited request [1]." }, handler: "Save"));
        Assert.Contains("DRAFT — NOT SIGNED", await PdfTextAsync(staff, letterId), StringComparison.Ordinal);

        // Inside the grain too: a signer from outside the clinic is refused, another clinician of it signs as themselves.
        var grain = app.Grains.GetGrain<ILetterGrain>(letterId);
        await Assert.ThrowsAsync<LetterRefusedException>(() => grain.Sign(outsider.UserId));
        await Assert.ThrowsAsync<LetterRefusedException>(() => grain.Sign(staff.UserId));
        Assert.Equal(clinician.UserId, (await grain.Sign(clinician.UserId)).SignedBy);
        var byOther = await PdfTextAsync(admin, letterId);
        Assert.Contains("Dr. Bruno Costa", byOther, StringComparison.Ordinal);
        Assert.DoesNotContain("Helena Ribeiro", byOther, StringComparison.Ordinal);

        // Removing the staff member counts at once: the analysis and the letter read as missing.
        await admin.Session.FollowAsync(await admin.Session.SubmitAsync("/Clinic", new Dictionary<string, string> { ["memberId"] = staff.UserId }, handler: "Remove"));
        Assert.Equal(HttpStatusCode.NotFound, (await staff.Session.GetAsync($"/Jobs/{jobId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await staff.Session.GetAsync($"/Letters/{letterId}")).Status);
        Assert.DoesNotContain($"data-job-id=\"{jobId}\"", (await staff.Session.GetAsync("/")).Html, StringComparison.Ordinal);
        Assert.NotEqual(admin.UserId, await app.UserGrain(staff.UserId).CurrentClinicId());
    }

    [Fact]
    public async Task A_removed_staff_member_s_live_connection_is_closed_and_cannot_follow_the_clinician_s_job_again()
    {
        var clinic = await ClinicAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(clinic.Staff.Session, null, text: TestDocuments.OphthalmologyNote, forClinician: clinic.Admin.UserId));
        await JobsApp.WaitForFinishAsync(clinic.Staff.Session, jobId);

        await using var hub = Connect(clinic.Staff.Session);
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await hub.StartAsync();
        Assert.Equal("Complete", JobsApp.StageOf(await hub.InvokeAsync<System.Text.Json.JsonElement>("Subscribe", jobId)));

        await clinic.Admin.Session.FollowAsync(await clinic.Admin.Session.SubmitAsync("/Clinic", new Dictionary<string, string> { ["memberId"] = clinic.Staff.UserId }, handler: "Remove"));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await using var again = Connect(clinic.Staff.Session);
        await again.StartAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync<System.Text.Json.JsonElement>("Subscribe", jobId));
        Assert.Contains("Not found", refused.Message, StringComparison.Ordinal);
    }

    private HubConnection Connect(BrowserSession session) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(app.Factory.BaseAddress, "/hubs/jobs"), o => o.Cookies = session.Cookies)
            .Build();

    [Fact]
    public async Task An_admin_only_member_manages_the_clinic_but_neither_uploads_nor_reads_patient_work()
    {
        var clinic = await ClinicAsync();
        await clinic.Admin.Session.FollowAsync(await clinic.Admin.Session.SubmitAsync("/Clinic", new Dictionary<string, string> { ["memberId"] = clinic.Clinician.UserId, ["roles"] = "3" }, handler: "Roles"));
        await clinic.Clinician.Session.FollowAsync(await clinic.Clinician.Session.SubmitAsync("/Clinic", new Dictionary<string, string> { ["memberId"] = clinic.Admin.UserId, ["roles"] = "1" }, handler: "Roles"));
        Assert.Equal(ClinicRoles.Admin, await app.Grains.GetGrain<IClinicGrain>(clinic.Admin.UserId).RolesOf(clinic.Admin.UserId));

        var refused = await JobsApp.UploadAsync(clinic.Admin.Session, null, text: TestDocuments.OphthalmologyNote);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("upload-not-allowed", (await clinic.Admin.Session.GetAsync("/")).Html, StringComparison.Ordinal);
        Assert.Equal(0, await UsedAsync(clinic.Admin, UsageKind.Analyses));
    }

    [Fact]
    public async Task When_the_clinic_requires_two_factor_members_without_it_are_sent_to_set_it_up_and_cannot_turn_it_off()
    {
        var clinic = await ClinicAsync();
        var staff = clinic.Staff.Session;
        await clinic.Admin.Session.FollowAsync(await clinic.Admin.Session.SubmitAsync("/Clinic", new Dictionary<string, string> { ["requireTwoFactor"] = "true" }, handler: "Policy"));

        var (status, _, location) = await staff.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal("/Account/Manage/TwoFactor", location!.OriginalString);
        var (_, setup, _) = await staff.GetAsync("/Account/Manage/TwoFactor");
        Assert.Contains("Your clinic requires two-factor sign-in.", setup, StringComparison.Ordinal);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/analyze") { Content = new MultipartFormDataContent { { new StringContent("note"), "text" }, { new StringContent(clinic.Admin.UserId), "forClinician" } } })
        {
            request.Headers.Add("RequestVerificationToken", BrowserSession.AntiforgeryToken(setup)!);
            request.Headers.Accept.ParseAdd("application/json");
            using var upload = await staff.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
            Assert.Contains("requires two-factor sign-in", await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var key = System.Text.RegularExpressions.Regex.Match(setup, "data-testid=\"authenticator-key\">([a-z2-7 ]+)<").Groups[1].Value;
        await staff.SubmitAsync("/Account/Manage/TwoFactor", new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow) }, "Enable");
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync("/")).Status);

        var off = await staff.FollowAsync(await staff.SubmitAsync("/Account/Manage/TwoFactor", new Dictionary<string, string> { ["confirm"] = "true", ["CurrentPassword"] = AccountsApp.GoodPassword }, "Disable"));
        Assert.Contains("Your clinic requires two-factor sign-in, so it stays on.", off.Html, StringComparison.Ordinal);
        Assert.Contains("Two-factor sign-in is <strong>on</strong>", off.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_filters_every_member_s_audit_rows_and_exports_them_while_a_member_sees_only_their_own()
    {
        var clinic = await ClinicAsync();
        var (admin, staff) = (clinic.Admin, clinic.Staff);
        var outsider = await NewMemberAsync("audit-outsider");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(staff.Session, null, text: TestDocuments.OphthalmologyNote, forClinician: admin.UserId));
        await JobsApp.WaitForFinishAsync(staff.Session, jobId);

        // The admin narrows to the staff member's uploads: rows of this clinic only, every one the staff member's.
        var (_, uploads, _) = await admin.Session.GetAsync($"/Clinic/Audit?member={staff.UserId}&action=job.upload");
        var rows = AuditRows().Matches(uploads).Select(m => (Action: m.Groups[1].Value, Member: m.Groups[2].Value)).ToList();
        Assert.Equal([("job.upload", staff.Email)], rows);
        var (_, everyone, _) = await admin.Session.GetAsync("/Clinic/Audit");
        Assert.Contains($"data-member=\"{clinic.Clinician.Email}\"", everyone, StringComparison.Ordinal);
        Assert.DoesNotContain(outsider.Email, everyone, StringComparison.Ordinal);
        Assert.Contains("id=\"audit-empty\"", (await admin.Session.GetAsync($"/Clinic/Audit?from={DateTime.UtcNow.AddDays(2):yyyy-MM-dd}")).Html, StringComparison.Ordinal);

        using var csv = await admin.Session.Client.GetAsync(new Uri($"/Clinic/Audit?handler=Csv&member={staff.UserId}&action=job.upload", UriKind.Relative));
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("id,at_utc,member,action,outcome,target,ip,details", lines[0]);
        Assert.Single(lines.Skip(1));
        Assert.Contains($"\"{staff.Email}\",\"job.upload\",\"success\",\"{jobId}\"", lines[1], StringComparison.Ordinal);

        // A member asking for someone else's rows gets their own.
        var (_, own, _) = await staff.Session.GetAsync($"/Clinic/Audit?member={admin.UserId}");
        var members = AuditRows().Matches(own).Select(m => m.Groups[2].Value).Distinct().ToList();
        Assert.Equal([staff.Email], members);
    }

    [System.Text.RegularExpressions.GeneratedRegex("<tr data-action=\"([^\"]+)\" data-member=\"([^\"]*)\">")]
    private static partial System.Text.RegularExpressions.Regex AuditRows();

    private async Task<Clinic> ClinicAsync()
    {
        var admin = await NewMemberAsync("admin");
        var clinician = await NewMemberAsync("clinician");
        await JoinAsync(clinician, await InviteAsync(admin, clinician.Email, ClinicRoles.Clinician));

        // Staff accept with an account made after the invitation.
        var staffEmail = JobsApp.NewEmail("staff");
        var token = await InviteAsync(admin, staffEmail, ClinicRoles.Staff);
        var session = app.NewSession();
        Assert.Equal(HttpStatusCode.Redirect, (await JobsApp.RegisterAsync(session, staffEmail)).StatusCode);
        await app.ConfirmAsync(session, staffEmail);
        Assert.Equal(HttpStatusCode.Redirect, (await JobsApp.LoginAsync(session, staffEmail)).StatusCode);
        var staff = new Member(session, staffEmail, await app.UserIdAsync(staffEmail));
        await JoinAsync(staff, token);
        return new Clinic(admin, clinician, staff);
    }

    private async Task<Member> NewMemberAsync(string name)
    {
        var (session, email) = await app.SignedInUserAsync(name);
        return new Member(session, email, await app.UserIdAsync(email));
    }

    private Task<string> InviteAsync(Member admin, string email, ClinicRoles roles) => ClinicFlows.InviteAsync(app, admin.Session, email, roles);

    private static Task JoinAsync(Member member, string token) => ClinicFlows.JoinAsync(member.Session, token);

    private async Task<int> UsedAsync(Member member, UsageKind kind) =>
        (await app.UserGrain(member.UserId).GetSnapshot()).Usage.Single(u => u.Kind == kind).Used;

    private static async Task<HttpResponseMessage> RequestLetterAsync(Member member, string jobId, LetterKind kind) =>
        await member.Session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string>
        {
            ["Letter.Kind"] = kind.ToString(),
            ["Letter.Language"] = "en",
            ["Letter.RecipientName"] = "Acme Health Plan",
        }, handler: "Letter");

    private static string LetterIdOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString["/Letters/".Length..];
    }

    private static async Task SetLetterheadAsync(Member member, string clinicName, string providerName) =>
        await member.Session.FollowAsync(await member.Session.SubmitAsync("/Account/Manage/Letterhead", new Dictionary<string, string>
        {
            ["Form.ClinicName"] = clinicName,
            ["Form.ProviderName"] = providerName,
            ["Form.Credentials"] = "MD",
        }));

    private static async Task<string> PdfTextAsync(Member member, string letterId)
    {
        using var response = await member.Session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf?anyway=true", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Letters.LetterFlowTests.PdfText(await response.Content.ReadAsByteArrayAsync());
    }
}
