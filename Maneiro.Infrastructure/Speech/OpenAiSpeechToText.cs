using Maneiro.Infrastructure.OpenAi;
using Maneiro.Infrastructure.Storage;

namespace Maneiro.Infrastructure.Speech;

/// <summary>
/// OpenAI audio transcription: the audio is read from the blob store and sent in the request. The API refuses files
/// over 25 MB while uploads allow 100 MB, so a larger recording is first re-encoded as compact speech; one still too
/// large after that is refused with its length in the message.
/// </summary>
public sealed class OpenAiSpeechToText(IBlobStore blobs, ClinicalAnalyzer analyzer, FfmpegAudio audio) : ISpeechToText
{
    public const long MaxRequestBytes = 25L * 1024 * 1024;

    public async Task<Transcription> TranscribeAsync(string blobKey, string mediaType, SpeechOptions? speech, CancellationToken cancellationToken)
    {
        await using (var original = await blobs.OpenReadAsync(blobKey, cancellationToken))
        {
            if (original.Length <= MaxRequestBytes)
            {
                return await analyzer.TranscribeAsync(original, "dictation" + AudioFormats.Extension(mediaType), speech, cancellationToken);
            }
        }

        var compact = ScratchSpace.NewFilePath("audio-compact");
        try
        {
            if (await audio.CompressSpeechAsync(blobKey, compact, cancellationToken) > MaxRequestBytes)
            {
                throw new JobFailedException("This recording is too long to transcribe in one piece (more than about two hours of speech). Split it into shorter recordings and upload them separately.");
            }

            await using var small = new FileStream(compact, FileMode.Open, FileAccess.Read, FileShare.None, 81920, useAsync: true);
            return await analyzer.TranscribeAsync(small, "dictation.ogg", speech, cancellationToken);
        }
        finally
        {
            File.Delete(compact);
        }
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
