using System.Net;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

/// <summary>
/// What a job costs: a stage's work is charged once it is done, whatever happens later; a job that fails or is canceled
/// before any work costs nothing; audio is measured and TIFF pages counted before the work.
/// </summary>
public sealed class UsageHardeningTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task Canceling_after_ocr_keeps_the_pages_charged_and_gives_the_analysis_back()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        try
        {
            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.ScannedPdfAsync(TestDocuments.OphthalmologyNote), "scan.pdf"));

            // The model is asked only once OCR has finished.
            await app.OpenAi.WaitUntilHeldAsync();
            await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string>(), "Cancel");
            Assert.Equal(JobStage.Canceled, JobsApp.Stage(await JobsApp.WaitForFinishAsync(session, jobId)));
        }
        finally
        {
            app.OpenAi.Release();
        }

        var usage = await UsageAsync(email);
        Assert.Equal(1, usage[UsageKind.OcrPages]);
        Assert.Equal(0, usage[UsageKind.Analyses]);
        session.Dispose();
    }

    [Fact]
    public async Task Audio_minutes_are_checked_before_anything_is_sent_for_transcription()
    {
        var (session, email) = await app.SignedInUserAsync();
        var user = app.UserGrain(await app.UserIdAsync(email));
        Assert.True((await user.TryReserve(UsageKind.AudioMinutes, "earlier-dictations", 30)).Granted);
        var audioCallsBefore = app.OpenAi.AudioCalls;

        var wav = await TestDocuments.SpeechWavAsync("Patient reports blurred vision in the right eye.");
        var job = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "dictation.wav")));

        Assert.Equal(JobStage.Failed, JobsApp.Stage(job));
        Assert.Contains("used all 30 minutes of audio transcription", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(audioCallsBefore, app.OpenAi.AudioCalls);
        Assert.Equal(0, (await UsageAsync(email))[UsageKind.Analyses]);
        session.Dispose();
    }

    [Fact]
    public async Task A_recording_over_the_transcription_services_25_MB_is_re_encoded_before_it_is_sent()
    {
        var (session, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var wav = await TestDocuments.LongSpeechWavAsync("Patient reports blurred vision in the right eye.", FakeOpenAi.MaxAudioRequestBytes + (1024 * 1024));

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "long-dictation.wav"));
        var job = await JobsApp.WaitForFinishAsync(session, jobId, TimeSpan.FromMinutes(3));

        Assert.True(JobsApp.Stage(job) == JobStage.Complete, job + Environment.NewLine + app.LogsAbout(jobId));
        Assert.EndsWith(".ogg", app.OpenAi.LastAudio.FileName, StringComparison.Ordinal);
        Assert.InRange(app.OpenAi.LastAudio.Bytes, 1, FakeOpenAi.MaxAudioRequestBytes);

        // Charged by its measured length (espeak speaks 22,050 16-bit samples a second), before transcription.
        var minutes = (int)Math.Ceiling(wav.Length / (22050.0 * 2) / 60);
        Assert.Equal(minutes, (await UsageAsync(email))[UsageKind.AudioMinutes]);
        session.Dispose();
    }

    [Fact]
    public async Task A_multi_page_tiff_counts_every_page_and_obeys_the_page_cap()
    {
        var (session, email) = await app.SignedInUserAsync();
        var tooMany = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.MultiPageTiff(OcrLimits.MaxPages + 1), "fax.tiff")));
        Assert.Equal(JobStage.Failed, JobsApp.Stage(tooMany));
        Assert.Contains($"This scan has {OcrLimits.MaxPages + 1} pages", tooMany.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await UsageAsync(email))[UsageKind.OcrPages]);

        // Two blank pages are read (and charged as two) even though they hold no text.
        var blank = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.MultiPageTiff(2), "blank.tiff")));
        Assert.Equal(JobStage.Failed, JobsApp.Stage(blank));
        Assert.Contains("No readable text", blank.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await UsageAsync(email))[UsageKind.OcrPages]);
        session.Dispose();
    }

    [Fact]
    public async Task A_long_text_is_analysed_up_to_the_cap_with_a_notice_and_kept_whole_outside_the_grain()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var line = TestDocuments.OphthalmologyNote.ReplaceLineEndings(" ");
        var text = string.Concat(Enumerable.Repeat(line + "\n", (ExtractedTextLimits.MaxAnalysedCharacters / line.Length) + 40));
        var blobsBefore = app.StoredBlobCount();

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: text));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.Equal(JobStage.Complete, JobsApp.Stage(job));
        var warnings = job.GetProperty("result").GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Contains(ExtractedTextLimits.Notice(text.Trim().Length), warnings);
        Assert.Contains("only the first 120,000 were analysed", (await session.GetAsync($"/Jobs/{jobId}")).Html, StringComparison.Ordinal);

        // The upload and the whole text are stored (encrypted); the model was sent the cap, not the whole.
        Assert.Equal(blobsBefore + 2, app.StoredBlobCount());
        var lastChat = app.OpenAi.ChatRequests[^1];
        Assert.InRange(lastChat.Length, ExtractedTextLimits.MaxAnalysedCharacters, text.Length);

        // Deleting the analysis removes both.
        await session.SubmitAsync($"/Jobs/{jobId}/Delete", new Dictionary<string, string>());
        await Eventually.TrueAsync(() => app.StoredBlobCount() == blobsBefore, "the upload and the whole text were deleted");
        session.Dispose();
    }

    private async Task<Dictionary<UsageKind, int>> UsageAsync(string email) =>
        (await app.UserGrain(await app.UserIdAsync(email)).GetSnapshot()).Usage.ToDictionary(u => u.Kind, u => u.Used);
}

/// <summary>The web app whose blob store fails reading an upload back once it is told to.</summary>
public sealed class FaultyStorageApp : ManeiroApp
{
    public FaultyStorageApp()
        : base(b => b.WithFakeModel())
    {
    }

    public FaultyBlobStore Blobs => (FaultyBlobStore)Factory.Services.GetRequiredService<IBlobStore>();

    protected override void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services =>
        {
            var inner = services.Last(d => d.ServiceType == typeof(IBlobStore));
            services.Remove(inner);
            services.AddSingleton<IBlobStore>(sp => new FaultyBlobStore((IBlobStore)(inner.ImplementationInstance ?? inner.ImplementationFactory!(sp))));
        });
}

/// <summary>A blob store that throws an unexpected error on the next read while <see cref="FailReads"/> is set.</summary>
public sealed class FaultyBlobStore(IBlobStore inner) : IBlobStore
{
    public bool FailReads { get; set; }

    public Task PutAsync(string key, Stream content, string mediaType, CancellationToken cancellationToken) => inner.PutAsync(key, content, mediaType, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        FailReads ? throw new InvalidOperationException("The storage service answered with an error.") : inner.OpenReadAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);
}

/// <summary>An upload that fails after its allowance was reserved and its file stored leaves neither behind.</summary>
public sealed class UploadCleanupTests(FaultyStorageApp app) : IClassFixture<FaultyStorageApp>
{
    [Fact]
    public async Task A_storage_error_after_the_reservation_releases_it_and_deletes_the_stored_upload()
    {
        var (session, email) = await app.SignedInUserAsync();
        var blobsBefore = app.StoredBlobCount();
        app.Blobs.FailReads = true;
        HttpResponseMessage response;
        try
        {
            response = await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote));
        }
        finally
        {
            app.Blobs.FailReads = false;
        }

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(blobsBefore, app.StoredBlobCount());
        var snapshot = await app.UserGrain(await app.UserIdAsync(email)).GetSnapshot();
        Assert.Equal(0, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        session.Dispose();
    }
}
