using System.IO.Pipelines;
using Maneiro.Infrastructure.Storage;

namespace Maneiro.Infrastructure.Speech;

/// <summary>
/// Joins a browser recording's chunks into one upload. One segment is streamed chunk after chunk into the blob store
/// (the chunks together are the recorder's file, so nothing is decoded and nothing touches the disk). Several
/// segments, each a file of its own, are joined by ffmpeg on scratch copies removed on every path, as every audio tool
/// here runs.
/// </summary>
public sealed class RecordingAssembler(IBlobStore blobs, FfmpegAudio audio) : IRecordingAssembler
{
    public async Task<AssembledRecording> AssembleAsync(IReadOnlyList<IReadOnlyList<string>> segmentChunkKeys, string mediaType, string uploadKey, CancellationToken cancellationToken)
    {
        if (segmentChunkKeys.Count == 1)
        {
            var bytes = await PutJoinedAsync(segmentChunkKeys[0], uploadKey, mediaType, cancellationToken);
            return new AssembledRecording(uploadKey, mediaType, bytes);
        }

        var segments = segmentChunkKeys.Select(_ => ScratchSpace.NewFilePath("recording-segment")).ToList();
        var joined = ScratchSpace.NewFilePath("recording-joined");
        try
        {
            for (var i = 0; i < segments.Count; i++)
            {
                await using var file = new FileStream(segments[i], FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await CopyChunksAsync(segmentChunkKeys[i], file, cancellationToken);
            }

            await audio.JoinAsync(segments, joined, cancellationToken);
            await using (var output = new FileStream(joined, FileMode.Open, FileAccess.Read, FileShare.None, 81920, useAsync: true))
            {
                await blobs.PutAsync(uploadKey, output, "audio/ogg", cancellationToken);
            }

            return new AssembledRecording(uploadKey, "audio/ogg", new FileInfo(joined).Length);
        }
        finally
        {
            foreach (var path in segments.Append(joined))
            {
                File.Delete(path);
            }
        }
    }

    private async Task<long> PutJoinedAsync(IReadOnlyList<string> keys, string uploadKey, string mediaType, CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        long bytes = 0;
        var writing = Task.Run(
            async () =>
            {
                try
                {
                    await using var writer = pipe.Writer.AsStream();
                    bytes = await CopyChunksAsync(keys, writer, cancellationToken);
                }
                catch (Exception ex)
                {
                    await pipe.Writer.CompleteAsync(ex);
                    throw;
                }
            },
            cancellationToken);
        await using (var reader = pipe.Reader.AsStream())
        {
            await blobs.PutAsync(uploadKey, reader, mediaType, cancellationToken);
        }

        await writing;
        return bytes;
    }

    private async Task<long> CopyChunksAsync(IReadOnlyList<string> keys, Stream destination, CancellationToken cancellationToken)
    {
        long bytes = 0;
        foreach (var key in keys)
        {
            await using var chunk = await blobs.OpenReadAsync(key, cancellationToken);
            var buffer = new byte[81920];
            int read;
            while ((read = await chunk.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                bytes += read;
            }
        }

        return bytes;
    }
}
