using System.Net;
using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Audit;
using Maneiro.Infrastructure.Pipeline;
using Maneiro.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Retention;

/// <summary>Uploads in (fake) S3, whose deletes a test can hold, a sweeper clock the test sets, and room for several sign-ups.</summary>
public sealed class RetentionApp : JobsApp
{
    public RetentionApp()
        : this(new SettableRetentionClock())
    {
    }

    private RetentionApp(SettableRetentionClock clock)
        : base(b => b.WithFakeAws()
            .With("Security:RateLimits:RegisterPerIpPerHour", "500")
            .With("Security:RateLimits:LoginPerIpPerMinute", "500")
            .ConfigureHost(h => h.ConfigureTestServices(s => s.AddSingleton<IRetentionClock>(clock))))
    {
        Clock = clock;
    }

    public SettableRetentionClock Clock { get; }
}

/// <summary>
/// A clinic's retention policy and its sweeper over HTTP: expired analyses, letters and inbox items are deleted from the
/// blob store, grain state and every index, their pages say when and why, a sweep stopped mid-way resumes with exact
/// counts and one audit row, and another clinic's data is untouched. Recordings go once transcribed when the clinic
/// says so.
/// </summary>
public sealed class RetentionTests(RetentionApp app) : IClassFixture<RetentionApp>
{
    [Fact]
    public async Task A_sweep_stopped_mid_way_resumes_deletes_the_clinic_s_expired_records_everywhere_and_leaves_another_clinic_untouched()
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        app.OpenAi.AnswerTriage(_ => InboxFlows.TriageAnswer());
        var (admin, adminEmail) = await app.SignedInUserAsync("retention-admin");
        var clinicId = await app.UserIdAsync(adminEmail);
        var (staff, _, _) = await ClinicFlows.AddMemberAsync(app, admin, "retention-staff", ClinicRoles.Staff);
        var (other, otherEmail) = await app.SignedInUserAsync("other-clinic");

        // Old records: two analyses (one with a letter) and an inbox item of clinic A; an analysis of clinic B.
        var first = await AnalyzeAsync(admin);
        var second = await AnalyzeAsync(admin);
        var letter = await DraftAsync(admin, first);
        var item = await InboxFlows.AddAsync(staff, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote), "fax.pdf");
        await InboxFlows.WaitForTriageAsync(staff, item);
        var others = await AnalyzeAsync(other);
        await Eventually.TrueAsync(() => app.S3.Objects.Keys.Any(k => k.Contains(others, StringComparison.Ordinal)), "clinic B's upload is stored");

        // Everything above is older than this moment; the fresh analysis is newer.
        var boundary = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > boundary, "the clock moved past the boundary");
        var fresh = await AnalyzeAsync(admin);

        // Both clinics keep documents for a day; the sweeper runs as of a day after the boundary.
        await SetRetentionAsync(admin, days: 1);
        await SetRetentionAsync(other, days: 1);
        app.Clock.AsOf = boundary.AddDays(1);

        // The app stops while the sweep deletes its first blob, and starts again.
        app.S3.HoldDeletes();
        await admin.FollowAsync(await admin.SubmitAsync("/Clinic/Data", new Dictionary<string, string>(), handler: "Sweep"));
        await app.S3.WaitUntilDeleteHeldAsync();
        var restart = app.RestartAsync();
        app.S3.ReleaseDeletes();
        await restart;
        using var adminAgain = new BrowserSession(app.Factory.CreateHttpClient(admin.Cookies), admin.Cookies);
        using var otherAgain = new BrowserSession(app.Factory.CreateHttpClient(other.Cookies), other.Cookies);

        // Reading the page activates the sweeper, which resumes from its notes (RetentionSweepTests shows the resume itself).
        var page = await Eventually.ReturnsAsync(async () => (await adminAgain.GetAsync("/Clinic/Data")).Html, html => html.Contains("id=\"last-sweep\"", StringComparison.Ordinal), "the sweep finished");
        Assert.Contains("data-analyses=\"2\"", page, StringComparison.Ordinal);
        Assert.Contains("data-letters=\"1\"", page, StringComparison.Ordinal);
        Assert.Contains("data-intake=\"1\"", page, StringComparison.Ordinal);

        // The pages of swept records say what happened; the API answers 410 with the same words.
        var today = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (path, noun) in new[] { ($"/Jobs/{first}", "analysis"), ($"/Jobs/{second}", "analysis"), ($"/Letters/{letter}", "letter"), ($"/Inbox/{item}", "inbox document") })
        {
            var (status, html, location) = await adminAgain.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, status);
            var (goneStatus, gone, _) = await adminAgain.GetAsync(location!.OriginalString);
            Assert.Equal(HttpStatusCode.Gone, goneStatus);
            Assert.Contains($"This {noun} was deleted on {today} under the clinic's retention policy.", System.Net.WebUtility.HtmlDecode(gone), StringComparison.Ordinal);
        }

        using (var api = await adminAgain.Client.GetAsync(new Uri($"/api/jobs/{first}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Gone, api.StatusCode);
        }

        // Gone from the blob store, the history, the inbox index and the duplicate-upload index; kept: the fresh one.
        Assert.DoesNotContain(app.S3.Objects.Keys, k => k.Contains(first, StringComparison.Ordinal) || k.Contains(second, StringComparison.Ordinal) || k.Contains(item, StringComparison.Ordinal));
        var history = await app.Grains.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(clinicId)).Page(0, 100);
        Assert.Equal([fresh], history);
        Assert.Empty(await app.Factory.Services.GetRequiredService<PostgresIntakeIndex>().QueryAsync(new InboxQuery(clinicId), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await adminAgain.GetAsync($"/Jobs/{fresh}")).Status);

        // Clinic B: untouched by A's sweep, and it cannot learn anything about A's swept records.
        Assert.Equal(HttpStatusCode.OK, (await otherAgain.GetAsync($"/Jobs/{others}")).Status);
        Assert.Contains(app.S3.Objects.Keys, k => k.Contains(others, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await otherAgain.GetAsync($"/Jobs/{first}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await otherAgain.GetAsync($"/Deleted/{first}")).Status);

        // One audit row for the sweep, with its counts; the audit rows of the swept records stay.
        var audit = app.Factory.Services.GetRequiredService<AuditLog>();
        var sweeps = await audit.QueryAsync(new AuditQuery(clinicId, null, AuditActions.RetentionSwept, null, null, 10));
        var row = Assert.Single(sweeps);
        using var details = JsonDocument.Parse(row.Details!);
        Assert.Equal((2, 1, 1), (details.RootElement.GetProperty("analyses").GetInt32(), details.RootElement.GetProperty("letters").GetInt32(), details.RootElement.GetProperty("intake_items").GetInt32()));
        Assert.NotEmpty(await audit.QueryAsync(new AuditQuery(clinicId, null, AuditActions.JobCompleted, null, null, 10)));
        Assert.Empty(await audit.QueryAsync(new AuditQuery(await app.UserIdAsync(otherEmail), null, AuditActions.RetentionSwept, null, null, 10)));
        staff.Dispose();
    }

    [Fact]
    public async Task A_recording_is_deleted_once_transcribed_while_the_clinic_s_policy_says_so_and_kept_when_it_does_not()
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var (admin, _) = await app.SignedInUserAsync("audio-admin");
        var wav = await TestDocuments.SpeechWavAsync("Patient reports blurred vision in the right eye.");

        // A new clinic does not keep recordings (its admin is asked to choose the rest).
        var (_, home, _) = await admin.GetAsync("/");
        Assert.Contains("id=\"retention-banner\"", home, StringComparison.Ordinal);
        var deleted = await JobsApp.JobIdOf(await JobsApp.UploadAsync(admin, wav, "dictation.wav"));
        Assert.Equal("Complete", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(admin, deleted)));
        Assert.DoesNotContain(app.S3.Objects.Keys, k => k.Contains(deleted, StringComparison.Ordinal));
        var (_, page, _) = await admin.GetAsync($"/Jobs/{deleted}");
        Assert.Contains("id=\"audio-deleted\"", page, StringComparison.Ordinal);

        // The admin chooses to keep recordings (and everything else).
        await admin.FollowAsync(await admin.SubmitAsync("/Clinic/Data", new Dictionary<string, string> { ["Keep"] = "keep", ["DeleteAudio"] = "false" }));
        var (_, after, _) = await admin.GetAsync("/");
        Assert.DoesNotContain("id=\"retention-banner\"", after, StringComparison.Ordinal);
        var kept = await JobsApp.JobIdOf(await JobsApp.UploadAsync(admin, wav, "dictation.wav"));
        Assert.Equal("Complete", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(admin, kept)));
        Assert.Contains(app.S3.Objects.Keys, k => k.Contains(kept, StringComparison.Ordinal));

        // Only an admin chooses, and only within the allowed range.
        var (staff, _, _) = await ClinicFlows.AddMemberAsync(app, admin, "audio-staff", ClinicRoles.Staff);
        var refused = await staff.FollowAsync(await staff.SubmitAsync("/Clinic/Data", new Dictionary<string, string> { ["Keep"] = "days", ["Days"] = "1" }));
        Assert.Contains("Only a clinic admin can do that.", refused.Html, StringComparison.Ordinal);
        var outOfRange = await admin.FollowAsync(await admin.SubmitAsync("/Clinic/Data", new Dictionary<string, string> { ["Keep"] = "days", ["Days"] = "400" }));
        Assert.Contains("Keep documents for 1 to 365 days", outOfRange.Html, StringComparison.Ordinal);
        staff.Dispose();
    }

    [Fact]
    public async Task A_transcript_left_waiting_for_review_past_the_retention_period_is_swept_and_its_allowance_released()
    {
        var (admin, email) = await app.SignedInUserAsync("retention-review");
        var waiting = await JobsApp.JobIdOf(await JobsApp.UploadAsync(admin, await TestDocuments.SpeechWavAsync("Right eye."), "dictation.wav", recording: new Dictionary<string, string> { ["review"] = "true" }));
        Assert.Equal("Reviewing", JobsApp.StageOf(await JobsApp.WaitForReviewAsync(admin, waiting)));
        await SetRetentionAsync(admin, days: 1);
        try
        {
            app.Clock.AsOf = DateTimeOffset.UtcNow.AddDays(2);
            await admin.FollowAsync(await admin.SubmitAsync("/Clinic/Data", new Dictionary<string, string>(), handler: "Sweep"));
            await Eventually.ReturnsAsync(() => app.Grains.GetGrain<IAnalysisGrain>(waiting).GetProgress(), p => p is null, "the waiting analysis was swept");
        }
        finally
        {
            app.Clock.AsOf = null;
        }

        var usage = await app.UserGrain(await app.UserIdAsync(email)).GetSnapshot();
        Assert.Equal(0, usage.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
    }

    private static async Task<string> AnalyzeAsync(BrowserSession session)
    {
        var id = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        Assert.Equal("Complete", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(session, id)));
        return id;
    }

    private static async Task<string> DraftAsync(BrowserSession session, string analysisId)
    {
        var response = await session.SubmitAsync($"/Jobs/{analysisId}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "en", ["Letter.RecipientName"] = "Dr. Ana Silva" }, handler: "Letter");
        var letterId = response.Headers.Location!.OriginalString["/Letters/".Length..];
        await JobsApp.WaitForLetterAsync(session, letterId);
        return letterId;
    }

    private static async Task SetRetentionAsync(BrowserSession admin, int days)
    {
        var (_, html, _) = await admin.FollowAsync(await admin.SubmitAsync("/Clinic/Data", new Dictionary<string, string> { ["Keep"] = "days", ["Days"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture), ["DeleteAudio"] = "true" }));
        Assert.Contains($"older than {days} day", html, StringComparison.Ordinal);
    }
}
