namespace Maneiro.Grains.Services;

public sealed record Transcription(string Text, int Seconds);

/// <summary>Speech to text for dictations; <c>Transcription:Provider</c> picks OpenAI (default) or AWS Transcribe.</summary>
public interface ISpeechToText
{
    Task<Transcription> TranscribeAsync(string blobKey, string mediaType, CancellationToken cancellationToken);
}
