using System.Net;
using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using UglyToad.PdfPig;

namespace Maneiro.Tests.Letters;

/// <summary>Letters as a doctor meets them over HTTP: draft from a finished analysis, edit, regenerate, restore, export, delete.</summary>
public sealed class LetterFlowTests(JobsApp app) : IClassFixture<JobsApp>
{
    private async Task<(BrowserSession Session, string UserId, string JobId)> CompletedAnalysisAsync(string name = "doctor")
    {
        var (session, email) = await app.SignedInUserAsync(name);
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(await JobsApp.WaitForFinishAsync(session, jobId)));
        return (session, await app.UserIdAsync(email), jobId);
    }

    private static async Task<string> RequestLetterAsync(BrowserSession session, string jobId, LetterKind kind = LetterKind.Referral, string language = "en")
    {
        var response = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string>
        {
            ["Letter.Kind"] = kind.ToString(),
            ["Letter.Language"] = language,
            ["Letter.RecipientName"] = "Dr. Ana Silva",
            ["Letter.RecipientSpecialty"] = "Glaucoma",
            ["Letter.RecipientClinic"] = "Eye Institute",
            ["Letter.RecipientAddress"] = "1 Main Street\nSpringfield",
        }, handler: "Letter");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/Letters/", location, StringComparison.Ordinal);
        return location["/Letters/".Length..];
    }

    /// <summary>The PDF's words, in page order.</summary>
    internal static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join(' ', document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text))));
    }

    [Fact]
    public async Task A_letter_is_drafted_from_verified_facts_only_then_edited_regenerated_restored_and_exported()
    {
        var (session, userId, jobId) = await CompletedAnalysisAsync();
        var lettersBefore = (await app.UserGrain(userId).GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Letters).Used;
        app.OpenAi.AnswerLetters(
            LetterSamples.Draft(sections: ("Reason for referral", ["Moderate glaucoma of the right eye (H40.1112) [1]. Also asthma (J45.909) [9]. See https://example.org/x."])),
            LetterSamples.Draft(subject: "Second draft", sections: ("Reason", ["A shorter second draft [2]."])));
        var callsBefore = app.OpenAi.LetterCalls;

        var letterId = await RequestLetterAsync(session, jobId);
        var letter = await JobsApp.WaitForLetterAsync(session, letterId);
        Assert.Equal("Complete", letter.GetProperty("stage").GetString());
        var body = letter.GetProperty("body").GetString()!;
        Assert.Contains("(H40.1112) [1].", body, StringComparison.Ordinal);
        Assert.DoesNotContain("J45.909", body, StringComparison.Ordinal);
        Assert.DoesNotContain("[9]", body, StringComparison.Ordinal);
        Assert.DoesNotContain("example.org", body, StringComparison.Ordinal);
        Assert.Equal(3, letter.GetProperty("notices").GetArrayLength());
        Assert.Equal(callsBefore + 1, app.OpenAi.LetterCalls);

        // The model saw only the analysis's verified references and validated codes.
        var prompt = app.OpenAi.LetterRequests[^1];
        Assert.Contains("H40.1112", prompt, StringComparison.Ordinal);
        Assert.Contains("Primary Open-Angle Glaucoma Preferred Practice Pattern", prompt, StringComparison.Ordinal);
        Assert.Equal(lettersBefore + 1, (await app.UserGrain(userId).GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Letters).Used);

        // The page shows the editor; the owner edits and saves a new version.
        var (status, html, _) = await session.GetAsync($"/Letters/{letterId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Download PDF", html, StringComparison.Ordinal);
        var edited = body.Replace("Moderate glaucoma", "Moderate (edited) glaucoma", StringComparison.Ordinal);
        await session.FollowAsync(await session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string> { ["Subject"] = "Edited subject", ["Body"] = edited }, handler: "Save"));
        letter = await JobsApp.WaitForLetterAsync(session, letterId);
        Assert.Equal(2, letter.GetProperty("currentVersion").GetInt32());
        Assert.Contains("(edited)", letter.GetProperty("body").GetString(), StringComparison.Ordinal);

        // Regenerating drafts a third version and counts one more letter; the earlier versions stay.
        await session.FollowAsync(await session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string>(), handler: "Regenerate"));
        letter = await JobsApp.WaitForLetterAsync(session, letterId);
        Assert.Equal(3, letter.GetProperty("currentVersion").GetInt32());
        Assert.Equal("Second draft", letter.GetProperty("subject").GetString());
        Assert.Equal(3, letter.GetProperty("versions").GetArrayLength());
        Assert.Equal(lettersBefore + 2, (await app.UserGrain(userId).GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Letters).Used);

        // Going back to the edited version makes a fourth version with its text.
        await session.FollowAsync(await session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string>(), action: $"/Letters/{letterId}?handler=Restore&version=2"));
        letter = await JobsApp.WaitForLetterAsync(session, letterId);
        Assert.Equal(4, letter.GetProperty("currentVersion").GetInt32());
        Assert.Equal("Edited subject", letter.GetProperty("subject").GetString());
        Assert.Equal("Generated,Edited,Generated,Restored", string.Join(",", letter.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("source").GetString())));

        // Export: a PDF of the current version on the owner's letterhead, audited.
        await session.FollowAsync(await session.SubmitAsync("/Account/Manage/Letterhead", new Dictionary<string, string>
        {
            ["Form.ClinicName"] = "Clínica São Lucas",
            ["Form.ProviderName"] = "Dra. Helena Ribeiro",
            ["Form.Credentials"] = "MD",
        }));
        using var pdf = await session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        var text = PdfText(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("Clínica São Lucas", text, StringComparison.Ordinal);
        Assert.Contains("(edited)", text, StringComparison.Ordinal);
        Assert.Contains("Primary Open-Angle Glaucoma Preferred Practice Pattern", text, StringComparison.Ordinal);
        Assert.Contains("Dra. Helena Ribeiro, MD", text, StringComparison.Ordinal);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE user_id = '{userId}' AND action = 'letter.exported' AND target = '{letterId}'"));
        await app.Database.WaitForAuditRowsAsync($"user_id = '{userId}' AND action = 'letter.generated'", 2);

        // The analysis page lists the letter.
        Assert.Contains($"/Letters/{letterId}", (await session.GetAsync($"/Jobs/{jobId}")).Html, StringComparison.Ordinal);

        // Deleting needs the confirmation tick.
        var unconfirmed = await session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string>(), handler: "Delete");
        Assert.Equal(HttpStatusCode.OK, unconfirmed.StatusCode);
        Assert.Contains("Tick the box", await unconfirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await session.FollowAsync(await session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string> { ["confirmDelete"] = "true" }, handler: "Delete"));
        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync($"/Letters/{letterId}")).Status);
        Assert.DoesNotContain($"/Letters/{letterId}", (await session.GetAsync($"/Jobs/{jobId}")).Html, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task Only_valid_billable_codes_reach_a_letters_body_table_or_pdf_whatever_the_model_or_an_edit_writes()
    {
        var (session, email) = await app.SignedInUserAsync("biller");
        var answer = System.Text.Json.Nodes.JsonNode.Parse(JobsApp.ModelAnswer())!;
        answer["icd10_codes"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["code"] = "H40.99ZZ", ["description"] = "Glaucoma, other", ["primary"] = false });
        answer["icd10_codes"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["code"] = "H401112", ["description"] = "the primary again, undotted", ["primary"] = false });
        app.OpenAi.Answer(answer.ToJsonString());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        // The analysis keeps each code once, the primary first, and marks the invented extension "verify", never valid.
        var codes = job.GetProperty("result").GetProperty("icd10Codes").EnumerateArray().ToList();
        Assert.Equal(["H40.1112", "H40.99ZZ"], codes.Select(c => c.GetProperty("code").GetString()));
        Assert.Equal((int)CodeCheck.Verify, codes[1].GetProperty("check").GetInt32());

        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: ("Medical necessity", ["Glaucoma H40.1112 progressing; also coded H40.99ZZ, H4099ZZ and U07.1."])));
        var letterId = await RequestLetterAsync(session, jobId, LetterKind.PriorAuthorization);
        var letter = await JobsApp.WaitForLetterAsync(session, letterId);
        Assert.Equal("Complete", letter.GetProperty("stage").GetString());
        var body = letter.GetProperty("body").GetString()!;
        Assert.Contains("H40.1112", body, StringComparison.Ordinal);
        foreach (var invented in new[] { "H40.99ZZ", "H4099ZZ", "U07.1" })
        {
            Assert.DoesNotContain(invented, body, StringComparison.Ordinal);
        }

        var notices = letter.GetProperty("notices").EnumerateArray().Select(n => n.GetString()!).ToList();
        Assert.Contains(notices, n => n.StartsWith("Check before sending: ICD-10 code H40.99ZZ was removed because it is not in the code table", StringComparison.Ordinal));
        Assert.Contains(notices, n => n.StartsWith("Check before sending: ICD-10 code U07.1 was removed", StringComparison.Ordinal));

        // Each removed code is an open item: the export asks for every one to be ticked, or for "Export anyway".
        using (var unticked = await session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf?ack=U07.1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Conflict, unticked.StatusCode);
            var open = System.Text.Json.JsonDocument.Parse(await unticked.Content.ReadAsStringAsync()).RootElement.GetProperty("open").EnumerateArray().Select(o => o.GetString()).ToList();
            Assert.Equal(["H40.99ZZ"], open);
        }

        Assert.Contains("I checked what happened to H40.99ZZ", (await session.GetAsync($"/Letters/{letterId}")).Html, StringComparison.Ordinal);
        using (var pdf = await session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf?ack=H40.99ZZ&ack=U07.1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            var text = PdfText(await pdf.Content.ReadAsByteArrayAsync());
            Assert.Contains("H40.1112", text, StringComparison.Ordinal);
            Assert.DoesNotContain("99ZZ", text, StringComparison.Ordinal);
            Assert.Contains("Codes checked against ICD-10-CM", text, StringComparison.Ordinal);
        }

        // A hand edit cannot add one either, undotted or not.
        await session.FollowAsync(await session.SubmitAsync($"/Letters/{letterId}", new Dictionary<string, string> { ["Subject"] = "Prior authorization", ["Body"] = body + "\n\nSee also H4099ZZ." }, handler: "Save"));
        letter = await JobsApp.WaitForLetterAsync(session, letterId);
        Assert.DoesNotContain("H4099ZZ", letter.GetProperty("body").GetString()!, StringComparison.Ordinal);
        Assert.Contains(letter.GetProperty("notices").EnumerateArray(), n => n.GetString()!.Contains("H40.99ZZ was removed", StringComparison.Ordinal));
        using (var waived = await session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf?anyway=true", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, waived.StatusCode);
        }

        // The audit rows say which: every item ticked, then the export that waived them.
        var userId = await app.UserIdAsync(email);
        var exports = await app.Database.ScalarAsync<string>($"SELECT string_agg((details->>'acknowledged') || '/' || (details->>'exportedAnyway'), ' ' ORDER BY id) FROM audit_log WHERE user_id = '{userId}' AND action = 'letter.exported'");
        Assert.Equal("[\"H40.99ZZ\",\"U07.1\"]/false []/true", exports);
        session.Dispose();
    }

    [Fact]
    public async Task Exports_are_one_at_a_time_per_user_and_tightly_rate_limited()
    {
        var (session, userId, jobId) = await CompletedAnalysisAsync("exporter");
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        var letterId = await RequestLetterAsync(session, jobId);
        Assert.Equal("Complete", (await JobsApp.WaitForLetterAsync(session, letterId)).GetProperty("stage").GetString());
        var pdfUri = new Uri($"/letters/{letterId}/pdf", UriKind.Relative);

        // While another export of the same user's renders (its lock held), a second one is refused, not queued.
        var redis = app.Factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.True(await redis.LockTakeAsync($"maneiro:letter-export:{userId}", "another-render", TimeSpan.FromMinutes(1)));
        using (var busy = await session.Client.GetAsync(pdfUri))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Contains("Another PDF of yours is being prepared", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.True(await redis.LockReleaseAsync($"maneiro:letter-export:{userId}", "another-render"));

        // The refused request counted; the rest of the minute's allowance renders, then the limit answers 429.
        var limit = new Maneiro.Web.Security.RateLimitOptions().LetterExportsPerUserPerMinute;
        for (var i = 1; i < limit; i++)
        {
            using var ok = await session.Client.GetAsync(pdfUri);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await session.Client.GetAsync(pdfUri);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many attempts", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task A_letter_s_preview_and_its_download_do_not_refuse_each_other()
    {
        // A letter's page loads its preview image as it opens; a download clicked meanwhile was refused as "another PDF
        // of yours" (seen in the clinic browser test): the two shared one turn per user.
        var (session, userId, jobId) = await CompletedAnalysisAsync("previewer");
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        var letterId = await RequestLetterAsync(session, jobId);
        Assert.Equal("Complete", (await JobsApp.WaitForLetterAsync(session, letterId)).GetProperty("stage").GetString());
        var redis = app.Factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

        // The page's preview is rendering: the download is served.
        Assert.True(await redis.LockTakeAsync($"maneiro:letter-preview:{userId}", "page-preview", TimeSpan.FromMinutes(1)));
        using (var pdf = await session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        }

        Assert.True(await redis.LockReleaseAsync($"maneiro:letter-preview:{userId}", "page-preview"));

        // A download is rendering: the page's preview is served.
        Assert.True(await redis.LockTakeAsync($"maneiro:letter-export:{userId}", "download", TimeSpan.FromMinutes(1)));
        using (var png = await session.Client.GetAsync(new Uri($"/letters/{letterId}/preview/1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        }

        // Two previews at once still take turns.
        Assert.True(await redis.LockTakeAsync($"maneiro:letter-preview:{userId}", "page-preview", TimeSpan.FromMinutes(1)));
        using (var second = await session.Client.GetAsync(new Uri($"/letters/{letterId}/preview/1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        }

        Assert.True(await redis.LockReleaseAsync($"maneiro:letter-preview:{userId}", "page-preview"));
        Assert.True(await redis.LockReleaseAsync($"maneiro:letter-export:{userId}", "download"));
        session.Dispose();
    }

    [Fact]
    public async Task A_render_over_its_time_budget_is_stopped_and_answers_a_clear_refusal()
    {
        var export = new LetterExport(app.Factory.Services.GetRequiredService<IConnectionMultiplexer>(), Options.Create(new LetterExportOptions { TimeBudget = TimeSpan.Zero }));
        var input = new LetterPdfInput(
            new Letterhead("Clinic", "", "", "", "", "Dr. Ribeiro", "MD", "", null),
            LetterKind.Referral,
            Maneiro.Grains.Domain.Letters.LetterLanguage.Get("en"),
            new DateOnly(2026, 12, 2),
            new LetterRecipient("Dr. Ana Silva", "Glaucoma", "Eye Institute", "1 Main Street"),
            "John Carter",
            "Referral",
            new string('x', 40_000),
            [],
            []);
        var user = "budget-" + Guid.NewGuid().ToString("N");
        var (pdf, refusal) = await export.RenderAsync(user, LetterRender.Download, input, CancellationToken.None);
        Assert.Null(pdf);
        Assert.Equal(LetterExportRefusal.OverBudget, refusal);

        // The per-user lock was let go: a render with a budget succeeds straight after.
        var generous = new LetterExport(app.Factory.Services.GetRequiredService<IConnectionMultiplexer>(), Options.Create(new LetterExportOptions()));
        Assert.Equal(LetterExportRefusal.None, (await generous.RenderAsync(user, LetterRender.Download, input with { Body = "Short." }, CancellationToken.None)).Refusal);
    }

    [Fact]
    public async Task Another_user_cannot_see_edit_export_or_subscribe_to_a_letter()
    {
        var (owner, _, jobId) = await CompletedAnalysisAsync("owner");
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        var letterId = await RequestLetterAsync(owner, jobId);
        await JobsApp.WaitForLetterAsync(owner, letterId);
        var (stranger, _) = await app.SignedInUserAsync("stranger");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/Letters/{letterId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync(new Uri($"/api/letters/{letterId}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync(new Uri($"/letters/{letterId}/pdf", UriKind.Relative))).StatusCode);

        // A forged form post (with the stranger's own valid token) changes nothing.
        var token = BrowserSession.AntiforgeryToken((await stranger.GetAsync("/")).Html)!;
        var save = await stranger.PostAsync($"/Letters/{letterId}?handler=Save", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["Subject"] = "x", ["Body"] = "hijacked" });
        Assert.Equal(HttpStatusCode.NotFound, save.StatusCode);
        var delete = await stranger.PostAsync($"/Letters/{letterId}?handler=Delete", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["confirmDelete"] = "true" });
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);

        // Nor can a stranger draft a letter from someone else's analysis.
        var draft = await stranger.PostAsync($"/Jobs/{jobId}?handler=Letter", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["Letter.RecipientName"] = "x", ["Letter.Language"] = "en" });
        Assert.Equal(HttpStatusCode.NotFound, draft.StatusCode);

        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Factory.BaseAddress, "/hubs/jobs"), o => o.Cookies = stranger.Cookies)
            .Build();
        await hub.StartAsync();
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("SubscribeLetter", letterId));

        var letter = await JobsApp.WaitForLetterAsync(owner, letterId);
        Assert.Equal(1, letter.GetProperty("currentVersion").GetInt32());
        owner.Dispose();
        stranger.Dispose();
    }

    [Fact]
    public async Task A_malformed_draft_twice_fails_the_letter_cleanly_and_gives_the_allowance_back()
    {
        var (session, userId, jobId) = await CompletedAnalysisAsync();
        var before = (await app.UserGrain(userId).GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Letters);
        app.OpenAi.AnswerLetters("{\"subject\":\"\"}", "not json");

        var letterId = await RequestLetterAsync(session, jobId);
        var letter = await JobsApp.WaitForLetterAsync(session, letterId);

        Assert.Equal("Failed", letter.GetProperty("stage").GetString());
        Assert.Contains("malformed twice", letter.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, letter.GetProperty("versions").GetArrayLength());
        var after = (await app.UserGrain(userId).GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Letters);
        Assert.Equal(before.Used, after.Used);
        Assert.Equal(HttpStatusCode.Conflict, (await session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf", UriKind.Relative))).StatusCode);
        var (_, html, _) = await session.GetAsync($"/Letters/{letterId}");
        Assert.Contains("Try drafting again", html, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task Bad_letter_requests_and_bad_logos_get_clear_messages_and_change_nothing()
    {
        var (session, _, jobId) = await CompletedAnalysisAsync();

        var noRecipient = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "de", ["Letter.RecipientName"] = "" }, handler: "Letter");
        Assert.Equal(HttpStatusCode.OK, noRecipient.StatusCode);
        var html = await noRecipient.Content.ReadAsStringAsync();
        Assert.Contains("Enter who the letter is for.", html, StringComparison.Ordinal);
        Assert.Contains("Choose one of the listed languages.", html, StringComparison.Ordinal);

        async Task<HttpResponseMessage> UploadLogo(byte[] bytes, string name)
        {
            var token = BrowserSession.AntiforgeryToken((await session.GetAsync("/Account/Manage/Letterhead")).Html)!;
            using var form = new MultipartFormDataContent
            {
                { new StringContent(token), "__RequestVerificationToken" },
                { new StringContent("Clinic A"), "Form.ClinicName" },
                { new ByteArrayContent(bytes), "Logo", name },
            };
            return await session.Client.PostAsync(new Uri("/Account/Manage/Letterhead", UriKind.Relative), form);
        }

        var rejected = await UploadLogo(TestDocuments.TextPdf("not an image"), "logo.png");
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Contains("The logo must be a PNG or JPEG image.", await rejected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Clinic A", (await session.GetAsync("/Account/Manage/Letterhead")).Html, StringComparison.Ordinal);

        var accepted = await UploadLogo(await TestDocuments.PngAsync("LOGO"), "logo.png");
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var page = (await session.GetAsync("/Account/Manage/Letterhead")).Html;
        Assert.Contains("Clinic A", page, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,", page, StringComparison.Ordinal);
        session.Dispose();
    }
}
