using Maneiro.Infrastructure.OpenAi;

namespace Maneiro.Infrastructure.Speech;

/// <summary>OpenAI audio transcription: the audio is read from the blob store and sent in the request.</summary>
public sealed class OpenAiSpeechToText(IBlobStore blobs, ClinicalAnalyzer analyzer) : ISpeechToText
{
    public async Task<Transcription> TranscribeAsync(string blobKey, string mediaType, CancellationToken cancellationToken)
    {
        await using var audio = await blobs.OpenReadAsync(blobKey, cancellationToken);
        var (text, seconds) = await analyzer.TranscribeAsync(audio, "dictation" + AudioFormats.Extension(mediaType), cancellationToken);
        return new Transcription(text, seconds);
    }
}

public static class AudioFormats
{
    public static string Extension(string mediaType) => mediaType switch
    {
        "audio/mpeg" => ".mp3",
        "audio/wav" => ".wav",
        "audio/mp4" => ".m4a",
        "audio/webm" => ".webm",
        "audio/ogg" => ".ogg",
        _ => ".bin",
    };

    /// <summary>AWS Transcribe's MediaFormat names.</summary>
    public static string TranscribeFormat(string mediaType) => mediaType switch
    {
        "audio/mpeg" => "mp3",
        "audio/wav" => "wav",
        "audio/mp4" => "m4a",
        "audio/webm" => "webm",
        "audio/ogg" => "ogg",
        _ => throw new ArgumentOutOfRangeException(nameof(mediaType), mediaType, "Not an audio type Transcribe reads."),
    };
}
