using System.Globalization;
using System.Text.RegularExpressions;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Infrastructure.Storage;

namespace Maneiro.Infrastructure.Speech;

/// <summary>
/// Debian's ffmpeg tools over a recording: <c>ffprobe</c> measures it (decoding it when the container does not say,
/// as browser WEBM recordings often do not) and <c>ffmpeg</c> re-encodes it small enough for a service's size limit.
/// Both run as limited child processes on a scratch copy that is removed on every path.
/// </summary>
public sealed partial class FfmpegAudio(IBlobStore blobs, CpuWork cpu) : IAudioProbe
{
    public const string Unreadable = "This recording could not be read. It may be damaged or in an unusual format; try exporting it again as MP3 or WAV.";

    private static readonly TimeSpan ToolTime = TimeSpan.FromMinutes(5);
    private static readonly ProcessLimits Limits = new(2L * 1024 * 1024 * 1024, 600);

    public async Task<TimeSpan> DurationAsync(string blobKey, CancellationToken cancellationToken) =>
        await WithScratchCopyAsync(blobKey, "audio-probe", path => cpu.RunAsync(async ct =>
        {
            var probe = await ExternalProcess.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path], ToolTime, ct, limits: Limits);
            if (probe.ExitCode == 0 && double.TryParse(probe.StandardOutput.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            // No duration in the container: decode it and read the position ffmpeg reached.
            var decode = await ExternalProcess.RunAsync("ffmpeg", ["-nostdin", "-hide_banner", "-i", path, "-f", "null", "-"], ToolTime, ct, limits: Limits);
            var last = DecodedTime().Matches(decode.StandardError).LastOrDefault();
            if (decode.ExitCode != 0 || last is null)
            {
                throw new JobFailedException(Unreadable);
            }

            return TimeSpan.Parse(last.Groups[1].Value, CultureInfo.InvariantCulture);
        }, cancellationToken), cancellationToken);

    /// <summary>
    /// Re-encodes speech as mono 16 kHz Opus at 24 kbit/s (about 11 MB an hour) into <paramref name="output"/>; speech
    /// recognition loses nothing it uses. Returns the encoded size.
    /// </summary>
    public Task<long> CompressSpeechAsync(string blobKey, string output, CancellationToken cancellationToken) =>
        WithScratchCopyAsync(blobKey, "audio-compress", path => cpu.RunAsync(async ct =>
        {
            var encode = await ExternalProcess.RunAsync("ffmpeg", ["-nostdin", "-hide_banner", "-v", "error", "-y", "-i", path, "-vn", "-ac", "1", "-ar", "16000", "-c:a", "libopus", "-b:a", "24k", "-f", "ogg", output], ToolTime, ct, limits: Limits);
            if (encode.ExitCode != 0)
            {
                throw new JobFailedException(Unreadable);
            }

            return new FileInfo(output).Length;
        }, cancellationToken), cancellationToken);

    /// <summary>
    /// Joins recordings one after the other into <paramref name="output"/>, re-encoded like <see cref="CompressSpeechAsync"/>
    /// but at 32 kbit/s (segments of one browser recording, resumed after a break).
    /// </summary>
    public Task JoinAsync(IReadOnlyList<string> inputs, string output, CancellationToken cancellationToken) =>
        cpu.RunAsync(async ct =>
        {
            List<string> arguments = ["-nostdin", "-hide_banner", "-v", "error", "-y"];
            foreach (var input in inputs)
            {
                arguments.AddRange(["-i", input]);
            }

            var streams = string.Concat(Enumerable.Range(0, inputs.Count).Select(i => $"[{i}:a]"));
            arguments.AddRange(["-filter_complex", $"{streams}concat=n={inputs.Count}:v=0:a=1[joined]", "-map", "[joined]", "-ac", "1", "-ar", "16000", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg", output]);
            var join = await ExternalProcess.RunAsync("ffmpeg", arguments, ToolTime, ct, limits: Limits);
            return join.ExitCode == 0 ? true : throw new JobFailedException(Unreadable);
        }, cancellationToken);

    private async Task<T> WithScratchCopyAsync<T>(string blobKey, string purpose, Func<string, Task<T>> work, CancellationToken cancellationToken)
    {
        var path = ScratchSpace.NewFilePath(purpose);
        try
        {
            await using (var source = await blobs.OpenReadAsync(blobKey, cancellationToken))
            await using (var copy = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await source.CopyToAsync(copy, cancellationToken);
            }

            return await work(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [GeneratedRegex(@"time=(\d+:\d{2}:\d{2}(?:\.\d+)?)")]
    private static partial Regex DecodedTime();
}
