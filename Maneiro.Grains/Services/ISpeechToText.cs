using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Services;

/// <summary>What the service heard; <paramref name="SpeakersLabelled"/> when the text names its speakers (a live visit).</summary>
public sealed record Transcription(string Text, int Seconds, bool SpeakersLabelled = false);

/// <summary>Speech to text for dictations; <c>Transcription:Provider</c> picks OpenAI (default) or AWS Transcribe.</summary>
public interface ISpeechToText
{
    /// <param name="speech">The language and mode chosen at recording (null: detect the language, one speaker).</param>
    Task<Transcription> TranscribeAsync(string blobKey, string mediaType, SpeechOptions? speech, CancellationToken cancellationToken);
}
