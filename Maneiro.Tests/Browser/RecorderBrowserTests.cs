using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>
/// Dictation in the browser with Chromium's fake microphone playing speech made by espeak-ng: record, pause, resume,
/// stop, review the transcript from the fake speech service, correct a word, analyze, see the result.
/// </summary>
public sealed class RecorderBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_dictation_recorded_in_the_browser_is_reviewed_corrected_and_analyzed()
    {
        var (session, email) = await app.SignedInUserAsync("browser-recorder");
        var speech = Path.Combine(Path.GetTempPath(), $"maneiro-fake-mic-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(speech, await TestDocuments.SpeechWavAsync("Patient reports blurred vision in the right eye. Intraocular pressure twenty four."));
        app.OpenAi.Transcript = "Patient reports blurred vision in the rigth eye. Intraocular pressure 24 mmHg right.";
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        try
        {
            await using var run = await BrowserRun.StartAsync(app, ["microphone"], "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-audio-capture={speech}");
            var page = run.Page;
            await run.SignInAsync(email);
            Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));

            // Keyboard: the recorder's buttons are reached and pressed like any other.
            await page.Locator("#rec-start").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await page.Locator("#rec-indicator").WaitForAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('rec-time').textContent >= '0:04'", null, new() { Timeout = 30_000 });
            Assert.Contains("Recording", await page.Locator("#rec-status").TextContentAsync(), StringComparison.Ordinal);

            // Paused: the recording so far can be played back; then resumed.
            await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
            await page.Locator("#rec-playback").WaitForAsync();
            Assert.False(await page.Locator("#rec-indicator").IsVisibleAsync());
            await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('rec-time').textContent >= '0:06'", null, new() { Timeout = 30_000 });

            await page.GetByRole(AriaRole.Button, new() { Name = "Stop and analyze" }).ClickAsync();
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/Jobs/[0-9a-f]{32}$"), new() { Timeout = 60_000 });
            var jobId = page.Url[^32..];

            // The transcript waits for review; the reviewer corrects a word and analyzes.
            var transcript = page.GetByRole(AriaRole.Textbox, new() { Name = "Transcript" });
            await transcript.WaitForAsync(new() { Timeout = 60_000 });
            Assert.Equal(app.OpenAi.Transcript, await transcript.InputValueAsync());
            Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
            await transcript.FillAsync(app.OpenAi.Transcript.Replace("rigth", "right", StringComparison.Ordinal));
            await page.GetByRole(AriaRole.Button, new() { Name = "Analyze" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Diagnoses" }).WaitForAsync(new() { Timeout = 60_000 });
            Assert.Contains("blurred vision in the right eye", app.OpenAi.ChatRequests[^1], StringComparison.Ordinal);
            Assert.DoesNotContain("rigth", app.OpenAi.ChatRequests[^1], StringComparison.Ordinal);

            // What went up was Chromium's own recording: WebM, several seconds of it.
            var grains = app.Factory.Services.GetRequiredService<IGrainFactory>();
            var request = (await grains.GetGrain<IAnalysisGrain>(jobId).Request())!;
            Assert.Equal("audio/webm", request.MediaType);
            Assert.True(request.Speech!.Review);
            Assert.True(request.SizeBytes > 8_000, $"{request.SizeBytes} bytes recorded");
            Assert.False(app.OpenAi.TranscriptionRequests[^1].ContainsKey("language"));
            Assert.Equal("dictation.webm", app.OpenAi.LastAudio.FileName);
        }
        finally
        {
            File.Delete(speech);
            session.Dispose();
        }
    }

    [Fact]
    public async Task A_denied_microphone_is_explained_and_the_file_upload_stays()
    {
        var (session, email) = await app.SignedInUserAsync("no-microphone");
        try
        {
            // No permission granted and no fake prompt: the browser refuses the microphone.
            await using var run = await BrowserRun.StartAsync(app, null, "--use-fake-device-for-media-stream");
            var page = run.Page;
            await run.SignInAsync(email);
            await page.GetByRole(AriaRole.Button, new() { Name = "Start recording" }).ClickAsync();
            var error = page.Locator("#recorder-error");
            await error.WaitForAsync();
            Assert.Contains("Microphone access was denied", await error.TextContentAsync(), StringComparison.Ordinal);
            Assert.True(await page.Locator("#file").IsVisibleAsync());
            Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Start recording" }).IsEnabledAsync());
        }
        finally
        {
            session.Dispose();
        }
    }
}
