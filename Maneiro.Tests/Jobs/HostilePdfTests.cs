using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

/// <summary>The web app whose pdftotext is a stand-in that crashes or hangs on cue, held to a short time limit.</summary>
public sealed class MisbehavingParserApp : ManeiroApp
{
    public static readonly string ToolDirectory = Path.Combine(Path.GetTempPath(), "maneiro-tools-" + Guid.NewGuid().ToString("N"));

    public MisbehavingParserApp()
        : base(b => b.WithFakeModel()
            .With("Pdf:PdfToTextPath", StandInTools.MisbehavingPdfToText(ToolDirectory))
            .With("Pdf:TextServerPath", "")
            .With("Pdf:TimeLimit", "00:00:03"))
    {
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(ToolDirectory, recursive: true);
    }
}

/// <summary>
/// PDFs that crash or hang their parser are refused at upload with a clear message (the upload reads the text layer in
/// a limited child process); nothing is kept or charged, the host keeps serving and the next document goes through.
/// </summary>
public sealed class HostilePdfTests(MisbehavingParserApp app) : IClassFixture<MisbehavingParserApp>
{
    [Theory]
    [InlineData(StandInTools.CrashMarker, PopplerPdf.CouldNotProcess)]
    [InlineData(StandInTools.HangMarker, ToolTimedOutException.UserMessage)]
    public async Task A_parser_that_crashes_or_hangs_refuses_the_upload_with_a_clear_message_and_keeps_nothing(string marker, string message)
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var pdf = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote + "\n" + marker);
        var chatCallsBefore = app.OpenAi.ChatCalls;

        await AssertRefusedCleanlyAsync(app, session, email, pdf, message);

        Assert.Equal(chatCallsBefore, app.OpenAi.ChatCalls);
        var next = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote))));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(next));
        session.Dispose();
    }

    [Fact]
    public async Task A_page_or_image_too_large_for_the_pixel_budget_is_refused_before_any_tool_rasterizes_it()
    {
        var (session, email) = await app.SignedInUserAsync();
        var wall = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.OversizedPagePdf(), "wall.pdf")));
        Assert.Equal(JobStage.Failed, JobsApp.Stage(wall));
        Assert.Contains("Page 1 of this PDF is 200 x 200 inches, too large to read with OCR", wall.GetProperty("error").GetString(), StringComparison.Ordinal);

        var bomb = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.PngBomb(), "photo.png")));
        Assert.Equal(JobStage.Failed, JobsApp.Stage(bomb));
        Assert.Contains("30000 x 30000 pixels (900 megapixels)", bomb.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Neither was tried more than once, and neither was charged.
        foreach (var job in new[] { wall, bomb })
        {
            Assert.Single(job.GetProperty("history").EnumerateArray(), h => h.GetProperty("stage").GetString() == "Ocr");
        }

        var snapshot = await app.UserGrain(await app.UserIdAsync(email)).GetSnapshot();
        Assert.Equal(0, snapshot.Usage.Single(u => u.Kind == UsageKind.OcrPages).Used);
        session.Dispose();
    }

    /// <summary>The upload is answered 422 with <paramref name="message"/>; no blob, job or usage is left behind.</summary>
    internal static async Task AssertRefusedCleanlyAsync(ManeiroApp app, BrowserSession session, string email, byte[] pdf, string message)
    {
        var blobsBefore = app.StoredBlobCount();
        using var response = await JobsApp.UploadAsync(session, pdf);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 422, $"expected 422, got {(int)response.StatusCode}: {body}");
        Assert.Equal(message, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        Assert.Equal(blobsBefore, app.StoredBlobCount());
        var userId = await app.UserIdAsync(email);
        var snapshot = await app.UserGrain(userId).GetSnapshot();
        Assert.Equal(0, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        Assert.Equal(0, await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobIndexGrain>(userId).Count());
    }
}

/// <summary>
/// The real crafted file through the real parser, under the default time limit: how long pdftotext takes to overflow
/// its stack depends on the machine's load, and a crash must be reported as a crash, never as a timeout.
/// </summary>
public sealed class NestedFunctionPdfTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_pdf_whose_nested_function_overflows_the_parser_is_refused_at_upload_and_the_host_keeps_serving()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());

        // The real crafted file, through the real upload and the real pdftotext (which segfaults on it).
        var hostile = TestDocuments.NestedFunctionPdf("Glaucoma follow-up, right eye.");
        await HostilePdfTests.AssertRefusedCleanlyAsync(app, session, email, hostile, PopplerPdf.CouldNotProcess);

        var next = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote))));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(next));
        session.Dispose();
    }
}
