using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

/// <summary>Production-shaped storage and transcription: uploads in S3, dictations through AWS Transcribe.</summary>
public sealed class AwsApp : JobsApp
{
    public FakeS3 S3 { get; private set; } = null!;

    public FakeTranscribe Transcribe { get; private set; } = null!;

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["AWS_S3_BUCKET"] = "maneiro-uploads",
        ["AWS_REGION"] = "us-west-2",
        ["AWS_ENDPOINT_URL_S3"] = S3.Endpoint.ToString(),
        ["Storage:S3:AccessKeyId"] = "AKIDS3",
        ["Storage:S3:SecretAccessKey"] = "s3-secret",
        ["Transcription:Provider"] = "AwsTranscribe",
        ["AWS_ENDPOINT_URL_TRANSCRIBE"] = Transcribe.Endpoint.ToString(),
        ["Transcription:Aws:AccessKeyId"] = FakeTranscribe.AccessKey,
        ["Transcription:Aws:SecretAccessKey"] = FakeTranscribe.SecretKey,
        ["Transcription:Aws:FirstPollMilliseconds"] = "50",
    };

    protected override async Task BeforeStartAsync()
    {
        await base.BeforeStartAsync();
        S3 = await FakeS3.StartAsync();
        Transcribe = await FakeTranscribe.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await S3.DisposeAsync();
        await Transcribe.DisposeAsync();
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

        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, wav, "dictation.wav"));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
        Assert.Equal("Transcript", job.GetProperty("textSource").GetString());
        Assert.Equal(0, app.Transcribe.BadSignatures);
        Assert.Equal(["StartTranscriptionJob", "GetTranscriptionJob", "DeleteTranscriptionJob"], app.Transcribe.Actions.ToArray());
        Assert.Empty(app.Transcribe.Jobs);

        // The audio Transcribe was pointed at is the upload in S3, stored with server-side encryption.
        var key = Assert.Single(app.S3.Objects.Keys, k => k.Contains(jobId, StringComparison.Ordinal));
        Assert.Equal(wav, app.S3.Objects[key]);
        Assert.Equal("AES256", app.S3.Encryption[key]);
        Assert.Equal(0, app.OpenAi.AudioCalls);
        session.Dispose();
    }
}
