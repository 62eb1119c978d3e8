using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

/// <summary>
/// A new PDF is parsed once: the upload reads its text layer in the limited child process that also checks it, and
/// the job analyses that text instead of parsing the stored document again.
/// </summary>
public sealed class SingleParseTests(RepeatApp app) : IClassFixture<RepeatApp>
{
    [Fact]
    public async Task A_new_text_pdf_is_parsed_once_and_its_job_analyses_the_text_the_upload_read()
    {
        var (session, _) = await app.SignedInUserAsync("single-parse");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var before = app.ParserRuns;
        var marker = "Visit reference " + Guid.NewGuid().ToString("N");

        var job = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote + "\n" + marker))));

        Assert.Equal(JobStage.Complete, JobsApp.Stage(job));
        Assert.Equal(before + 1, app.ParserRuns);
        Assert.Equal("TextLayer", job.GetProperty("textSource").GetString());
        Assert.Contains(app.OpenAi.ChatRequests, r => r.Contains(marker, StringComparison.Ordinal));
        session.Dispose();
    }

    [Fact]
    public async Task A_scanned_pdf_read_at_upload_goes_to_ocr_with_the_page_count_the_upload_counted()
    {
        var (session, email) = await app.SignedInUserAsync("single-parse-scan");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var before = app.ParserRuns;

        var scan = await TestDocuments.ScannedPdfAsync(TestDocuments.OphthalmologyNote, "Plan: repeat visual field in three months.");
        var job = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, scan)));

        Assert.Equal(JobStage.Complete, JobsApp.Stage(job));
        Assert.Equal(before + 1, app.ParserRuns);
        Assert.Equal("Ocr", job.GetProperty("textSource").GetString());
        var usage = (await app.UserGrain(await app.UserIdAsync(email)).GetSnapshot()).Usage;
        Assert.Equal(2, usage.Single(u => u.Kind == UsageKind.OcrPages).Used);
        session.Dispose();
    }
}
