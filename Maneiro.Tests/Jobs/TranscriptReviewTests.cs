using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

/// <summary>
/// A recording's transcript waits for its author: reviewed (perhaps edited) it is analyzed, discarded it costs nothing,
/// and the wait survives a restart without the model being asked anything.
/// </summary>
public sealed class TranscriptReviewTests(JobsApp app) : IClassFixture<JobsApp>
{
    private static readonly Dictionary<string, string> Review = new() { ["review"] = "true" };

    [Fact]
    public async Task A_transcript_waits_for_review_across_a_restart_and_the_analysis_reads_the_edit_with_the_original_kept()
    {
        var (session, email) = await app.SignedInUserAsync("reviewer");
        app.OpenAi.Transcript = "Patient reports blurry sight in the right eye. Pressure twenty four.";
        app.OpenAi.Answer(JobsApp.ModelAnswer(evidence: "Intraocular pressure 24 mmHg right"));
        var chatCalls = app.OpenAi.ChatCalls;
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Right eye pressure twenty four."), "dictation.wav", recording: Review));

        var waiting = await JobsApp.WaitForReviewAsync(session, jobId);
        Assert.Equal("Reviewing", JobsApp.StageOf(waiting));
        Assert.Equal(app.OpenAi.Transcript, waiting.GetProperty("transcript").GetString());
        var (_, page, _) = await session.GetAsync($"/Jobs/{jobId}");
        Assert.Contains("id=\"transcript-review\"", page, StringComparison.Ordinal);
        Assert.Contains("blurry sight in the right eye", page, StringComparison.Ordinal);
        Assert.Equal(1, await AnalysesUsedAsync(email));

        // The wait is saved: after a restart the job still waits, and nothing was sent to the model.
        await app.RestartAsync();
        using var again = new BrowserSession(app.Factory.CreateHttpClient(session.Cookies), session.Cookies);
        Assert.Equal("Reviewing", JobsApp.StageOf(await JobsApp.WaitForReviewAsync(again, jobId)));
        Assert.Equal(chatCalls, app.OpenAi.ChatCalls);

        // The reviewer corrects a word and adds the measurement the model will quote.
        const string edited = "Patient reports blurry sight in the left eye.\r\nIntraocular pressure 24 mmHg right.";
        var (_, afterReview, _) = await again.FollowAsync(await again.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["transcript"] = edited }, handler: "Review"));
        Assert.DoesNotContain("id=\"transcript-review\"", afterReview, StringComparison.Ordinal);
        var job = await JobsApp.WaitForFinishAsync(again, jobId);
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Contains("left eye", app.OpenAi.ChatRequests[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("right eye. Pressure twenty four", app.OpenAi.ChatRequests[^1], StringComparison.Ordinal);

        // The evidence quote is found in the edited text (it was not in the transcript as heard).
        var diagnosis = job.GetProperty("result").GetProperty("diagnoses")[0];
        Assert.True(diagnosis.GetProperty("evidenceFound").GetBoolean(), diagnosis.ToString());

        var output = await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAnalysisGrain>(jobId).GetResult();
        Assert.Equal(edited.Replace("\r\n", "\n", StringComparison.Ordinal), output!.ExtractedText);
        Assert.Equal(app.OpenAi.Transcript, output.OriginalTranscript);
        var (_, done, _) = await again.GetAsync($"/Jobs/{jobId}");
        Assert.Contains("id=\"original-transcript\"", done, StringComparison.Ordinal);
        Assert.Contains("as edited in review", done, StringComparison.Ordinal);
        Assert.Equal(1, await AnalysesUsedAsync(email));
    }

    [Fact]
    public async Task Discarding_a_recording_under_review_deletes_it_and_releases_the_analysis()
    {
        var (session, email) = await app.SignedInUserAsync("discarder");
        var chatCalls = app.OpenAi.ChatCalls;
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Right eye."), "dictation.wav", recording: Review));
        await JobsApp.WaitForReviewAsync(session, jobId);
        Assert.Equal(1, await AnalysesUsedAsync(email));

        var (_, confirm, _) = await session.GetAsync($"/Jobs/{jobId}/Delete");
        Assert.Contains("Discard this recording?", confirm, StringComparison.Ordinal);
        await session.FollowAsync(await session.SubmitAsync($"/Jobs/{jobId}/Delete", new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync($"/api/jobs/{jobId}")).Status);
        Assert.Equal(0, await AnalysesUsedAsync(email));
        Assert.Equal(chatCalls, app.OpenAi.ChatCalls);
    }

    [Fact]
    public async Task An_empty_review_is_refused_with_a_message_and_the_transcript_keeps_waiting()
    {
        var (session, _) = await app.SignedInUserAsync("empty-review");
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Right eye."), "dictation.wav", recording: Review));
        await JobsApp.WaitForReviewAsync(session, jobId);

        var refused = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["transcript"] = "  \r\n " }, handler: "Review");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("The transcript is empty.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var api = await ApiRequestAsync(session, $"/api/jobs/{jobId}/transcript", new { transcript = "" });
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Equal("Reviewing", JobsApp.StageOf(await JobsApp.WaitForReviewAsync(session, jobId)));

        // The API ends the review with the transcript as heard; a second call is told the job no longer waits.
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        using var accepted = await ApiRequestAsync(session, $"/api/jobs/{jobId}/transcript", new { transcript = (string?)null });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("Complete", JobsApp.StageOf(await JobsApp.WaitForFinishAsync(session, jobId)));
        using var late = await ApiRequestAsync(session, $"/api/jobs/{jobId}/transcript", new { transcript = "late" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var output = await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAnalysisGrain>(jobId).GetResult();
        Assert.Null(output!.OriginalTranscript);
    }

    [Fact]
    public async Task A_live_visit_in_a_chosen_language_goes_to_the_diarizing_model_and_is_reviewed_with_speaker_labels()
    {
        var (session, _) = await app.SignedInUserAsync("visit");
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Right eye."), "visit.wav", recording: new Dictionary<string, string> { ["review"] = "true", ["mode"] = "visit", ["language"] = "es" }));
        var waiting = await JobsApp.WaitForReviewAsync(session, jobId);

        var request = app.OpenAi.TranscriptionRequests[^1];
        Assert.Equal("gpt-4o-transcribe-diarize", request["model"]);
        Assert.Equal("diarized_json", request["response_format"]);
        Assert.Equal("es", request["language"]);
        Assert.Equal(
            "Speaker 1: What brings you in today?\n\nSpeaker 2: My right eye has been blurry for a week. It is worse at night.\n\nSpeaker 1: Any pain?",
            waiting.GetProperty("transcript").GetString());
        var (_, page, _) = await session.GetAsync($"/Jobs/{jobId}");
        Assert.Contains("starts with the speaker", page, StringComparison.Ordinal);

        // A dictation with the language left to detection names no language and asks for no speakers.
        var dictation = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Left eye."), "dictation.wav", recording: new Dictionary<string, string> { ["review"] = "true", ["mode"] = "dictation", ["language"] = "" }));
        await JobsApp.WaitForReviewAsync(session, dictation);
        Assert.False(app.OpenAi.TranscriptionRequests[^1].ContainsKey("language"));
        Assert.Equal("whisper-1", app.OpenAi.TranscriptionRequests[^1]["model"]);

        var refused = await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Left eye."), "dictation.wav", recording: new Dictionary<string, string> { ["language"] = "klingon" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task An_account_that_chose_to_analyze_right_away_skips_the_review_unless_a_recording_asks_for_it()
    {
        var (session, _) = await app.SignedInUserAsync("right-away");
        var (_, account, _) = await session.GetAsync("/Account/Manage");
        Assert.Contains("id=\"reviews-transcripts\"", account, StringComparison.Ordinal);
        Assert.Contains("checked", account.Split("id=\"reviews-transcripts\"")[1].Split('>')[0], StringComparison.Ordinal);

        // The default is to review: a recording whose form does not say waits.
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Right eye."), "dictation.wav", recording: new Dictionary<string, string>()));
        Assert.Equal("Reviewing", JobsApp.StageOf(await JobsApp.WaitForReviewAsync(session, first)));

        await session.FollowAsync(await session.SubmitAsync("/Account/Manage", new Dictionary<string, string> { ["review"] = "false" }, handler: "Recordings"));
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var second = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Left eye."), "dictation.wav", recording: new Dictionary<string, string>()));
        var job = await JobsApp.WaitForFinishAsync(session, second);
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.DoesNotContain(job.GetProperty("history").EnumerateArray(), h => h.GetProperty("stage").GetString() == "Reviewing");

        var third = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Both eyes."), "dictation.wav", recording: Review));
        Assert.Equal("Reviewing", JobsApp.StageOf(await JobsApp.WaitForReviewAsync(session, third)));
    }

    private async Task<int> AnalysesUsedAsync(string email)
    {
        var snapshot = await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(await app.UserIdAsync(email)).GetSnapshot();
        return snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used;
    }

    private static async Task<HttpResponseMessage> ApiRequestAsync(BrowserSession session, string path, object body)
    {
        using var tokenResponse = await session.Client.GetAsync(new Uri("/api/antiforgery", UriKind.Relative));
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }
}
