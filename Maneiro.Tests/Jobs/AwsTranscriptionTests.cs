using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

/// <summary>Production-shaped storage and transcription: uploads in S3, dictations through AWS Transcribe.</summary>
public sealed class AwsApp : ManeiroApp
{
    public AwsApp()
        : base(b => b.WithFakeModel().WithFakeAws())
    {
    }
}

public sealed class AwsTranscriptionTests(AwsApp app) : IClassFixture<AwsApp>
{
    [Fact]
    public async Task A_dictation_stored_in_s3_is_transcribed_by_aws_transcribe_with_signed_requests_then_analyzed()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer(evidence: "blurred vision in the right eye"));
        var wav = await TestDocuments.SpeechWavAsync("Patient reports blurred vision in the right eye.");
        var actionsBefore = app.Transcribe.Actions.Count;

        // This clinic keeps recordings (a new clinic deletes them once transcribed), so the stored upload can be checked.
        await session.FollowAsync(await session.SubmitAsync("/Clinic/Data", new Dictionary<string, string> { ["Keep"] = "keep", ["DeleteAudio"] = "false" }));
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "dictation.wav"));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Equal("Transcript", job.GetProperty("textSource").GetString());
        Assert.Equal(0, app.Transcribe.BadSignatures);
        Assert.Equal(["StartTranscriptionJob", "GetTranscriptionJob", "DeleteTranscriptionJob"], app.Transcribe.Actions.Skip(actionsBefore).ToArray());
        Assert.Empty(app.Transcribe.Jobs);

        // The audio Transcribe was pointed at is the upload in S3, stored with server-side encryption.
        var key = Assert.Single(app.S3.Objects.Keys, k => k.Contains(jobId, StringComparison.Ordinal));
        Assert.Equal(wav, app.S3.Objects[key]);
        Assert.Equal("AES256", app.S3.Encryption[key]);
        Assert.Equal(0, app.OpenAi.AudioCalls);
        session.Dispose();
    }

    [Fact]
    public async Task A_transcription_job_that_fails_is_deleted_too()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.Transcribe.FailNextJob = true;
        var wav = await TestDocuments.SpeechWavAsync("Patient reports blurred vision in the right eye.");

        var job = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "dictation.wav")));

        Assert.Equal("Failed", JobsApp.StageOf(job));
        Assert.Contains("could not read this recording", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("DeleteTranscriptionJob", app.Transcribe.Actions);
        Assert.Empty(app.Transcribe.Jobs);
        session.Dispose();
    }

    [Fact]
    public async Task A_live_visit_asks_transcribe_for_speaker_labels_and_an_unchosen_language_for_identification()
    {
        var (session, _) = await app.SignedInUserAsync("aws-visit");
        var wav = await TestDocuments.SpeechWavAsync("What brings you in today?");
        var visit = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "visit.wav", recording: new Dictionary<string, string> { ["review"] = "true", ["mode"] = "visit", ["language"] = "pt" }));
        var waiting = await JobsApp.WaitForReviewAsync(session, visit);
        Assert.Equal("Speaker 1: What brings you in today?\n\nSpeaker 2: My right eye is blurry.\n\nSpeaker 1: Since when?", waiting.GetProperty("transcript").GetString());
        var start = app.Transcribe.StartRequests.Last();
        Assert.Equal("pt-BR", (string?)start["LanguageCode"]);
        Assert.True((bool?)start["Settings"]!["ShowSpeakerLabels"]);

        var dictation = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "dictation2.wav", recording: new Dictionary<string, string> { ["review"] = "true", ["language"] = "" }));
        await JobsApp.WaitForReviewAsync(session, dictation);
        start = app.Transcribe.StartRequests.Last();
        Assert.Null(start["LanguageCode"]);
        Assert.True((bool?)start["IdentifyLanguage"]);
        Assert.Equal(["en-US", "es-US", "pt-BR", "fr-FR"], start["LanguageOptions"]!.AsArray().Select(n => (string)n!).ToArray());
        Assert.Null(start["Settings"]);
        session.Dispose();
    }
}
