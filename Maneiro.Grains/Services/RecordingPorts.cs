using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Services;

/// <summary>Joins a browser recording's stored chunks into one upload in the blob store.</summary>
public interface IRecordingAssembler
{
    /// <summary>
    /// Writes the recording under <paramref name="uploadKey"/>: one segment is its chunks joined as they are (together
    /// they are the recorder's file); several segments (recording resumed after a break) are decoded and re-encoded as
    /// one Ogg Opus file. The chunks stay where they are; deleting them is the caller's.
    /// </summary>
    Task<AssembledRecording> AssembleAsync(IReadOnlyList<IReadOnlyList<string>> segmentChunkKeys, string mediaType, string uploadKey, CancellationToken cancellationToken);
}
