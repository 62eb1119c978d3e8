using System.Net;
using System.Text.Json;
using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

/// <summary>The jobs app whose PDF parsers (pdfinfo and pdftotext, in the web and in the silo) count their runs in one log.</summary>
public sealed class RepeatApp : JobsApp
{
    public RepeatApp()
        : this(Path.Combine(Path.GetTempPath(), "maneiro-parsers-" + Guid.NewGuid().ToString("N")))
    {
    }

    private RepeatApp(string directory)
        : base(b => b
            .With("Pdf:PdfInfoPath", StandInTools.Counting(directory, "pdfinfo", Path.Combine(directory, "runs.log")))
            .With("Pdf:PdfToTextPath", StandInTools.Counting(directory, "pdftotext", Path.Combine(directory, "runs.log")))
            .With("Pdf:TextServerPath", ""))
    {
        ParserLog = Path.Combine(directory, "runs.log");
    }

    public string ParserLog { get; }

    public int ParserRuns => File.Exists(ParserLog) ? File.ReadAllLines(ParserLog).Length : 0;
}

/// <summary>The same document with the same settings is never paid for twice; "analyze again" is an explicit, charged choice.</summary>
public sealed class RepeatedDocumentTests(RepeatApp app) : IClassFixture<RepeatApp>
{
    private static byte[] Note(string marker) => TestDocuments.TextPdf(TestDocuments.OphthalmologyNote + "\nVisit reference " + marker);

    [Fact]
    public async Task The_same_file_again_opens_the_earlier_analysis_with_no_model_call_no_charge_and_nothing_stored()
    {
        var (session, _) = await app.SignedInUserAsync("repeat");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var pdf = Note(Guid.NewGuid().ToString("N"));
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
        await JobsApp.WaitForFinishAsync(session, first);
        var modelCalls = app.OpenAi.ChatCalls;
        var blobs = app.StoredBlobCount();
        var parsed = app.ParserRuns;
        Assert.True(parsed > 0, "the first upload was parsed");

        using var again = await JobsApp.UploadAsync(session, pdf, fileName: "renamed copy.pdf", analyzeAgain: false);
        var body = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(body.GetProperty("repeat").GetBoolean());
        Assert.Equal(first, body.GetProperty("jobId").GetString());
        Assert.Equal($"/Jobs/{first}?repeat=1", body.GetProperty("pageUrl").GetString());

        Assert.Equal(modelCalls, app.OpenAi.ChatCalls);
        Assert.Equal(blobs, app.StoredBlobCount());
        Assert.Equal(parsed, app.ParserRuns);
        var (_, account, _) = await session.GetAsync("/Account/Manage");
        Assert.Contains("Analyses: 1 of 10", account, StringComparison.Ordinal);

        // The page says what happened and how to analyse it again.
        var (_, page, _) = await session.GetAsync($"/Jobs/{first}?repeat=1");
        Assert.Contains("nothing was charged", page, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task Analyze_again_is_a_new_charged_analysis_and_becomes_the_one_offered()
    {
        var (session, _) = await app.SignedInUserAsync("again");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var pdf = Note(Guid.NewGuid().ToString("N"));
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
        await JobsApp.WaitForFinishAsync(session, first);
        var modelCalls = app.OpenAi.ChatCalls;

        var second = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: true));
        Assert.NotEqual(first, second);
        await JobsApp.WaitForFinishAsync(session, second);
        Assert.True(app.OpenAi.ChatCalls > modelCalls);
        var (_, account, _) = await session.GetAsync("/Account/Manage");
        Assert.Contains("Analyses: 2 of 10", account, StringComparison.Ordinal);

        using var third = await JobsApp.UploadAsync(session, pdf, analyzeAgain: false);
        Assert.Equal(second, JsonDocument.Parse(await third.Content.ReadAsStringAsync()).RootElement.GetProperty("jobId").GetString());
        session.Dispose();
    }

    [Fact]
    public async Task Another_specialty_the_ocr_setting_or_another_user_is_a_new_analysis()
    {
        var (owner, _) = await app.SignedInUserAsync("owner");
        var (other, _) = await app.SignedInUserAsync("other");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var pdf = Note(Guid.NewGuid().ToString("N"));
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(owner, pdf, analyzeAgain: false));
        await JobsApp.WaitForFinishAsync(owner, first);

        var otherSpecialty = await JobsApp.JobIdOf(await JobsApp.UploadAsync(owner, pdf, specialty: "cardiology", analyzeAgain: false));
        var forcedOcr = await JobsApp.JobIdOf(await JobsApp.UploadAsync(owner, pdf, forceOcr: true, analyzeAgain: false));
        var otherUser = await JobsApp.JobIdOf(await JobsApp.UploadAsync(other, pdf, analyzeAgain: false));
        Assert.Equal(4, new[] { first, otherSpecialty, forcedOcr, otherUser }.Distinct().Count());

        // The index holds keyed hashes only: nothing in it is the document's plain SHA-256.
        var plain = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(pdf)).ToLowerInvariant();
        Assert.Equal(0, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM analysis_fingerprints WHERE encode(fingerprint, 'hex') = '{plain}'"));
        Assert.Equal(2, await app.Database.ScalarAsync<long>($"SELECT count(DISTINCT owner_id) FROM analysis_fingerprints WHERE analysis_id IN ('{first}', '{otherUser}')"));
        foreach (var id in new[] { otherSpecialty, forcedOcr })
        {
            await JobsApp.WaitForFinishAsync(owner, id);
        }

        await JobsApp.WaitForFinishAsync(other, otherUser);
        owner.Dispose();
        other.Dispose();
    }

    [Fact]
    public async Task A_deleted_or_canceled_analysis_is_not_offered_and_deleting_purges_its_fingerprint()
    {
        var (session, _) = await app.SignedInUserAsync("purge");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var pdf = Note(Guid.NewGuid().ToString("N"));
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
        await JobsApp.WaitForFinishAsync(session, first);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM analysis_fingerprints WHERE analysis_id = '{first}'"));

        var deleted = await session.SubmitAsync($"/Jobs/{first}/Delete", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal(0, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM analysis_fingerprints WHERE analysis_id = '{first}'"));

        app.OpenAi.Hold();
        string held;
        try
        {
            held = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
            Assert.NotEqual(first, held);
            await app.OpenAi.WaitUntilHeldAsync();

            // Still running: the same file again is that run (a double click does not pay twice).
            using var doubleClick = await JobsApp.UploadAsync(session, pdf, analyzeAgain: false);
            Assert.Equal(HttpStatusCode.OK, doubleClick.StatusCode);
            Assert.Equal(held, JsonDocument.Parse(await doubleClick.Content.ReadAsStringAsync()).RootElement.GetProperty("jobId").GetString());

            var canceled = await session.SubmitAsync($"/Jobs/{held}", new Dictionary<string, string>(), "Cancel");
            Assert.Equal(HttpStatusCode.Redirect, canceled.StatusCode);
            Assert.Equal("Canceled", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(session, held)));
        }
        finally
        {
            app.OpenAi.Release();
        }

        var fresh = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
        Assert.NotEqual(held, fresh);
        await JobsApp.WaitForFinishAsync(session, fresh);
        session.Dispose();
    }

    [Fact]
    public async Task A_plain_form_post_of_the_same_text_goes_to_the_earlier_analysis_with_the_notice()
    {
        var (session, _) = await app.SignedInUserAsync("plain");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var text = TestDocuments.OphthalmologyNote + "\nPasted " + Guid.NewGuid().ToString("N");
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: text, analyzeAgain: false));
        await JobsApp.WaitForFinishAsync(session, first);

        // The page's own form without its script: multipart, the token in the form, HTML wanted.
        var token = BrowserSession.AntiforgeryToken((await session.GetAsync("/")).Html)!;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("ophthalmology"), "specialty" },
            { new StringContent(text), "text" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/analyze") { Content = form };
        request.Headers.Accept.ParseAdd("text/html");
        using var posted = await session.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal($"/Jobs/{first}?repeat=1", posted.Headers.Location!.OriginalString);
        session.Dispose();
    }

    [Fact]
    public async Task When_the_fingerprint_cannot_be_recorded_the_running_analysis_is_still_the_answer()
    {
        var (session, email) = await app.SignedInUserAsync("fingerprint-fails");
        var userId = await app.UserIdAsync(email);
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        // The index refuses this user's rows (reads still work), as a failing database write would.
        var trigger = "refuse_fp_" + Guid.NewGuid().ToString("N")[..8];
        await app.Database.ScalarAsync<object>($"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.owner_id = '{userId}' THEN RAISE EXCEPTION 'index unavailable'; END IF; RETURN NEW; END $$");
        await app.Database.ScalarAsync<object>($"CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE ON analysis_fingerprints FOR EACH ROW EXECUTE FUNCTION {trigger}()");
        try
        {
            var pdf = Note(Guid.NewGuid().ToString("N"));
            var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
            var finished = await JobsApp.WaitForFinishAsync(session, first);
            Assert.Equal("Complete", finished.GetProperty("stage").GetString());
            Assert.Contains(app.Logs.Records, r => r.Text.Contains($"The fingerprint of analysis {first} could not be recorded", StringComparison.Ordinal));
            Assert.Equal(2, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE target = '{first}' AND action IN ('job.upload', 'job.started')"));

            // Not remembered, so the same file is analysed again rather than offered.
            var second = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
            Assert.NotEqual(first, second);
            await JobsApp.WaitForFinishAsync(session, second);
        }
        finally
        {
            await app.Database.ScalarAsync<object>($"DROP TRIGGER {trigger} ON analysis_fingerprints; DROP FUNCTION {trigger}()");
        }

        session.Dispose();
    }
}
