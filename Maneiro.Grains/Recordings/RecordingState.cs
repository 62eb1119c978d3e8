using Maneiro.Grains.Domain.Recordings;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Recordings;

[GenerateSerializer, Alias("Maneiro.RecordingState")]
public sealed class RecordingState
{
    [Id(0)] public RecordingSettings? Settings { get; set; }

    [Id(1)] public RecordingStatus Status { get; set; }

    [Id(2)] public DateTimeOffset StartedAt { get; set; }

    [Id(3)] public DateTimeOffset LastChunkAt { get; set; }

    /// <summary>The segment chunks now arrive for: 0, and one more each time recording resumed after a break.</summary>
    [Id(4)] public int Segment { get; set; }

    /// <summary>Stored chunks by <see cref="StagedChunks.Id"/>.</summary>
    [Id(5)] public Dictionary<string, StagedChunk> Chunks { get; set; } = new(StringComparer.Ordinal);

    [Id(6)] public long MaxBytes { get; set; }

    /// <summary>The upload the chunks were joined into (the chunks are deleted once it is saved here).</summary>
    [Id(7)] public AssembledRecording? Assembled { get; set; }

    /// <summary>
    /// Keys handed out to store a chunk whose storing was not reported yet: a web instance that died between the blob
    /// write and its report leaves such a blob, which goes with the recording's other chunks.
    /// </summary>
    [Id(8)] public HashSet<string> AdmittedKeys { get; set; } = new(StringComparer.Ordinal);
}
