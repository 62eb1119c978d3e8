using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

public sealed class AnalysisPipelineTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task An_upload_s_pdf_is_parsed_in_its_uploader_s_worker_which_no_other_user_s_upload_reaches()
    {
        // Workers are the text servers' children that stay after their answer; each upload here must add exactly one
        // (a new user has none yet), and the second user's cannot be the first's.
        var servers = app.Factory.Services.GetRequiredService<Maneiro.Infrastructure.Extraction.PdfTextServers>();
        List<int> Workers() => servers.ProcessIds.SelectMany(ProcessTree.ChildrenOf).ToList();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var pdf = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote);

        async Task<int> UploadAsNewUserAsync()
        {
            var before = Workers();
            var (session, _) = await app.SignedInUserAsync();
            var job = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf)));
            Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
            session.Dispose();
            return Assert.Single(Workers().Except(before));
        }

        var first = await UploadAsNewUserAsync();
        var second = await UploadAsNewUserAsync();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_text_pdf_goes_through_the_text_layer_to_a_complete_checked_result()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var before = app.OpenAi.ChatCalls;

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Equal("TextLayer", job.GetProperty("textSource").GetString());
        Assert.Equal(1, app.OpenAi.ChatCalls - before);
        Assert.Equal(1500, job.GetProperty("tokensUsed").GetInt32());
        var stages = job.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("stage").GetString()).ToList();
        Assert.Equal(["Received", "Extracting", "Analyzing", "Referencing", "Validating", "Complete"], stages);

        var result = job.GetProperty("result");
        var diagnosis = result.GetProperty("diagnoses")[0];
        Assert.True(diagnosis.GetProperty("evidenceFound").GetBoolean());
        Assert.Empty(diagnosis.GetProperty("referenceNumbers").EnumerateArray());
        var code = result.GetProperty("icd10Codes")[0];
        Assert.Equal((int)CodeCheck.Valid, code.GetProperty("check").GetInt32());
        Assert.Equal("Primary open-angle glaucoma, right eye, moderate stage", code.GetProperty("officialDescription").GetString());

        // The history row names the patient and the primary diagnosis from the small progress state.
        Assert.Equal("John Carter", job.GetProperty("headline").GetProperty("patientName").GetString());
        var (_, home, _) = await session.GetAsync("/");
        var row = System.Text.RegularExpressions.Regex.Match(home, $"<tr[^>]*>\\s*<td><a href=\"/Jobs/{jobId}\">.*?</tr>", System.Text.RegularExpressions.RegexOptions.Singleline).Value;
        Assert.Contains("<td>John Carter</td>", row, StringComparison.Ordinal);
        Assert.Contains("<td>Primary open-angle glaucoma, right eye, moderate stage<br />", row, StringComparison.Ordinal);
        Assert.Contains("<span class=\"hint summary-line\">Moderate primary open-angle glaucoma of the right eye, pressure above target.</span>", row, StringComparison.Ordinal);

        // The prompt carried the extracted text and the ophthalmology guidance.
        var request = app.OpenAi.ChatRequests[^1];
        Assert.Contains("Intraocular pressure 24 mmHg", request, StringComparison.Ordinal);
        Assert.Contains("laterality (OD/OS/OU)", request, StringComparison.Ordinal);
        Assert.Contains("\"strict\":true", request, StringComparison.Ordinal);

        var (status, page, _) = await session.GetAsync($"/Jobs/{jobId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("H40.1112 · valid", page, StringComparison.Ordinal);
        Assert.Contains("PDF text layer", page, StringComparison.Ordinal);

        var snapshot = await (await UserGrain(email)).GetSnapshot();
        Assert.Equal(1, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        await WaitForAuditAsync(jobId, "job.completed");
        var actions = await app.Database.ScalarAsync<string>($"SELECT string_agg(action, ',' ORDER BY action) FROM audit_log WHERE target = '{jobId}'");
        Assert.Equal("job.completed,job.result_viewed,job.started,job.upload", actions);

        // The upload and the start it led to are one moment: one transaction under the chain lock, not two.
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(DISTINCT xmin::text) FROM audit_log WHERE target = '{jobId}' AND action IN ('job.upload', 'job.started')"));
        session.Dispose();
    }

    [Fact]
    public async Task A_scanned_pdf_is_read_by_ocr_and_its_text_recovered()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var scan = await TestDocuments.ScannedPdfAsync(TestDocuments.OphthalmologyNote);

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, scan, "fax.pdf"));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Equal("Ocr", job.GetProperty("textSource").GetString());
        var grain = app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAnalysisGrain>(jobId);
        var status = (await grain.GetProgress())!;
        var output = await grain.GetResult();
        Assert.Contains("glaucoma", output!.ExtractedText!, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("latanoprost", output.ExtractedText!, StringComparison.OrdinalIgnoreCase);
        Assert.Single(status.OcrPageConfidence);
        Assert.True(status.OcrPageConfidence[0] > 50);
        Assert.Equal(1, (await (await UserGrain(email)).GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.OcrPages).Used);
        session.Dispose();
    }

    [Fact]
    public async Task A_photo_goes_straight_to_ocr()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.PngAsync(TestDocuments.OphthalmologyNote), "photo.png"));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Equal("Ocr", job.GetProperty("textSource").GetString());
        Assert.Equal(["Received", "Ocr", "Analyzing", "Referencing", "Validating", "Complete"], job.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("stage").GetString()).ToList());
        session.Dispose();
    }

    [Fact]
    public async Task A_dictation_is_sent_for_transcription_and_the_transcript_analyzed()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer(evidence: "blurred vision in the right eye"));
        var audioCallsBefore = app.OpenAi.AudioCalls;
        var wav = await TestDocuments.SpeechWavAsync("Patient reports blurred vision in the right eye.");

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "dictation.wav"));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Equal("Transcript", job.GetProperty("textSource").GetString());
        Assert.Equal(1, app.OpenAi.AudioCalls - audioCallsBefore);
        Assert.True(job.GetProperty("result").GetProperty("diagnoses")[0].GetProperty("evidenceFound").GetBoolean());
        session.Dispose();
    }

    [Fact]
    public async Task Codes_that_fail_their_check_get_one_repair_round_and_the_page_shows_what_changed()
    {
        var (session, _) = await app.SignedInUserAsync();
        var answer = System.Text.Json.Nodes.JsonNode.Parse(JobsApp.ModelAnswer(code: "H40.11"))!;
        answer["icd10_codes"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["code"] = "ZZ9.9", ["description"] = "Invented", ["primary"] = false });
        app.OpenAi.Answer(answer.ToJsonString());
        app.OpenAi.AnswerRepairs(("H40.11", "H40.1112"), ("ZZ9.9", "ZZ9.99"));
        var repairsBefore = app.OpenAi.RepairRequests.Count;

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        var result = (await JobsApp.WaitForFinishAsync(session, jobId)).GetProperty("result");

        // Asked once, with the header's billable children as options.
        Assert.Equal(repairsBefore + 1, app.OpenAi.RepairRequests.Count);
        Assert.Contains("option: H40.1112", app.OpenAi.RepairRequests[^1], StringComparison.Ordinal);

        // The correction that passes its check is kept; the one that does not leaves the original, flagged.
        var codes = result.GetProperty("icd10Codes").EnumerateArray().ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("check").GetInt32());
        Assert.Equal((int)CodeCheck.Valid, codes["H40.1112"]);
        Assert.Equal((int)CodeCheck.Invalid, codes["ZZ9.9"]);
        Assert.Equal("H40.1112", result.GetProperty("diagnoses")[0].GetProperty("icd10Code").GetString());
        var (_, page, _) = await session.GetAsync($"/Jobs/{jobId}");
        Assert.Contains("ICD-10 code H40.11 was corrected to H40.1112 by a second check", page, StringComparison.Ordinal);
        Assert.Contains("ICD-10 code ZZ9.9 could not be corrected automatically", page, StringComparison.Ordinal);
        app.OpenAi.AnswerRepairs();
        session.Dispose();
    }

    [Fact]
    public async Task Pasted_text_is_analyzed_and_a_code_missing_from_the_table_under_a_real_category_is_flagged_verify_never_valid()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer(code: "H40.1199", evidence: "a quote the note never says"));
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.Equal("Pasted", job.GetProperty("textSource").GetString());
        var diagnosis = job.GetProperty("result").GetProperty("diagnoses")[0];
        Assert.False(diagnosis.GetProperty("evidenceFound").GetBoolean());
        Assert.Equal((int)CodeCheck.Verify, job.GetProperty("result").GetProperty("icd10Codes")[0].GetProperty("check").GetInt32());

        var (_, page, _) = await session.GetAsync($"/Jobs/{jobId}");
        Assert.Contains("H40.1199 · verify", page, StringComparison.Ordinal);
        Assert.Contains("Checked against ICD-10-CM", page, StringComparison.Ordinal);
        Assert.Contains("not found in the source text", page, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task A_malformed_answer_gets_one_repair_round_with_the_errors()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer(code: "not-a-code"), JobsApp.ModelAnswer());
        var before = app.OpenAi.ChatCalls;
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.Equal("Complete", JobsApp.StageOf(job));
        Assert.Equal(2, app.OpenAi.ChatCalls - before);
        Assert.Contains("is not an ICD-10-CM code", app.OpenAi.ChatRequests[^1], StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task Two_malformed_answers_fail_the_job_clearly_and_give_the_allowance_back()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer("this is not json", "{\"still\": \"not the schema\"}");
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.Equal("Failed", JobsApp.StageOf(job));
        Assert.Contains("malformed twice", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        await WaitForAuditAsync(jobId, "job.failed");
        Assert.Equal(0, (await (await UserGrain(email)).GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        session.Dispose();
    }

    [Fact]
    public async Task A_script_in_the_models_output_is_shown_as_inert_text()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer(summary: "Glaucoma <script>document.title='pwned'</script><img src=x onerror=alert(1)>", extraWarning: "<b>bold</b>"));
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);

        var (_, page, _) = await session.GetAsync($"/Jobs/{jobId}");
        Assert.Contains("&lt;script&gt;document.title=", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>document.title", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", page, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;", page, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task History_lists_the_users_jobs_newest_first_and_delete_removes_everything()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, first);
        var second = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, second);

        var (_, home, _) = await session.GetAsync("/");
        Assert.True(home.IndexOf(second, StringComparison.Ordinal) < home.IndexOf(first, StringComparison.Ordinal));

        var blobsBefore = app.StoredBlobCount();
        var (_, confirm, _) = await session.GetAsync($"/Jobs/{first}/Delete");
        Assert.Contains("cannot be undone", confirm, StringComparison.Ordinal);
        var deleted = await session.SubmitAsync($"/Jobs/{first}/Delete", new Dictionary<string, string>());
        Assert.Equal("/", deleted.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.NotFound, (await session.Client.GetAsync(new Uri($"/api/jobs/{first}", UriKind.Relative))).StatusCode);
        Assert.Equal(blobsBefore - 1, app.StoredBlobCount());
        var userId = await app.UserIdAsync(email);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE user_id = '{userId}' AND action = 'job.deleted' AND target = '{first}'"));
        var (_, after, _) = await session.GetAsync("/");
        Assert.DoesNotContain(first, after, StringComparison.Ordinal);
        session.Dispose();
    }

    /// <summary>The silo writes the row right after it saves the final state; give it a moment.</summary>
    private Task WaitForAuditAsync(string jobId, string action) => app.Database.WaitForAuditRowsAsync($"target = '{jobId}' AND action = '{action}'");

    private async Task<IUserGrain> UserGrain(string email) => app.UserGrain(await app.UserIdAsync(email));
}
