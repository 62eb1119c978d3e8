using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Testing;
using Maneiro.Web.Clinics;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Retention;

/// <summary>
/// A member deletes their own account: their personal data goes, their clinical records stay with the clinic (handed to
/// its admin), or go with the clinic when they were a clinic of one; the clinic's only admin is asked to hand over first.
/// </summary>
public sealed class ErasureTests(DeletionApp app) : IClassFixture<DeletionApp>
{
    [Fact]
    public async Task A_clinician_s_records_are_handed_to_the_clinic_s_admin_and_their_personal_data_is_gone()
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        var (admin, adminEmail) = await app.SignedInUserAsync("erase-admin");
        var adminId = await app.UserIdAsync(adminEmail);
        var (clinician, clinicianEmail, clinicianId) = await ClinicFlows.AddMemberAsync(app, admin, "erase-doctor", ClinicRoles.Clinician);
        await clinician.FollowAsync(await clinician.SubmitAsync("/Account/Manage/Letterhead", new Dictionary<string, string> { ["Form.ProviderName"] = "Dr. Bruno Costa", ["Form.Credentials"] = "MD" }));
        var analysis = await JobsApp.JobIdOf(await JobsApp.UploadAsync(clinician, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        await JobsApp.WaitForFinishAsync(clinician, analysis);
        var drafted = await clinician.SubmitAsync($"/Jobs/{analysis}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "en", ["Letter.RecipientName"] = "Dr. Ana Silva" }, handler: "Letter");
        var letterId = drafted.Headers.Location!.OriginalString["/Letters/".Length..];
        await JobsApp.WaitForLetterAsync(clinician, letterId);

        // A recording they started and never submitted is theirs alone.
        var recorder = await RecorderClient.ForAsync(clinician.Client);
        var recording = await recorder.StartedIdAsync();
        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(recording, 0, 0, await TestDocuments.SpeechWebmAsync("Right eye."))).StatusCode);

        // The only admin must hand over first; a wrong password changes nothing.
        using (var refused = await admin.SubmitAsync("/Account/Manage/Delete", new Dictionary<string, string> { ["Password"] = ManeiroApp.GoodPassword }))
        {
            Assert.Contains(AccountErasure.LastAdmin, System.Net.WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        using (var wrong = await clinician.SubmitAsync("/Account/Manage/Delete", new Dictionary<string, string> { ["Password"] = "not my password" }))
        {
            Assert.Contains("That is not your password.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await clinician.SubmitAsync("/Account/Manage/Delete", new Dictionary<string, string> { ["Password"] = ManeiroApp.GoodPassword })).StatusCode);

        // Personal data: the account, its letterhead, its plan and its membership.
        using (var scope = app.Factory.Services.CreateScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<ManeiroUser>>().FindByEmailAsync(clinicianEmail));
        }

        using (var session = app.NewSession())
        {
            // A sign-in that succeeds redirects; this one stays on the form.
            Assert.NotEqual(HttpStatusCode.Redirect, (await ManeiroApp.LoginAsync(session, clinicianEmail)).StatusCode);
        }
        Assert.Equal(Letterhead.Empty, await app.Grains.GetGrain<ILetterheadGrain>(clinicianId).Read());
        Assert.Null(await app.Grains.GetGrain<IRecordingGrain>(recording).View());
        Assert.Null(await app.UserGrain(clinicianId).CurrentClinicId());
        Assert.Equal(ClinicRoles.None, await app.Grains.GetGrain<IClinicGrain>(adminId).RolesOf(clinicianId));

        // The records are the clinic's: the admin now owns the analysis and its letter, which still names its signer.
        Assert.Equal(adminId, (await app.Grains.GetGrain<IAnalysisGrain>(analysis).GetProgress())!.OwnerId);
        Assert.Contains(analysis, await app.Grains.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(adminId)).Page(0, 10));
        var letter = (await app.Grains.GetGrain<ILetterGrain>(letterId).GetStatus())!;
        Assert.Equal(adminId, letter.Request.OwnerId);
        Assert.Equal(clinicianId, letter.SignedBy);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/Jobs/{analysis}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/Letters/{letterId}")).Status);

        var audit = app.Factory.Services.GetRequiredService<AuditLog>();
        Assert.Single(await audit.QueryAsync(new AuditQuery(null, clinicianId, AuditActions.AccountErased, null, null, 10)));
        Assert.NotEmpty(await audit.QueryAsync(new AuditQuery(null, clinicianId, AuditActions.Upload, null, null, 10)));
    }

    [Fact]
    public async Task A_clinic_of_one_s_records_go_with_the_account()
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var (solo, soloEmail) = await app.SignedInUserAsync("erase-solo");
        var soloId = await app.UserIdAsync(soloEmail);
        var (other, _) = await app.SignedInUserAsync("erase-other");
        var mine = await JobsApp.JobIdOf(await JobsApp.UploadAsync(solo, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        var others = await JobsApp.JobIdOf(await JobsApp.UploadAsync(other, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        await JobsApp.WaitForFinishAsync(solo, mine);
        await JobsApp.WaitForFinishAsync(other, others);

        Assert.Equal(HttpStatusCode.Redirect, (await solo.SubmitAsync("/Account/Manage/Delete", new Dictionary<string, string> { ["Password"] = ManeiroApp.GoodPassword })).StatusCode);
        await Eventually.ReturnsAsync(() => app.Grains.GetGrain<IAnalysisGrain>(mine).GetProgress(), p => p is null, "the clinic of one's analysis was purged");
        Assert.NotNull(await app.Grains.GetGrain<IClinicGrain>(soloId).DeletedAt());
        Assert.NotNull(await app.Grains.GetGrain<IAnalysisGrain>(others).GetProgress());
    }
}
