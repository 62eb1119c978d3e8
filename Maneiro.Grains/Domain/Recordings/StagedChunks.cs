using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Recordings;

/// <summary>One chunk of a browser recording, stored encrypted in the blob store under <see cref="Key"/>.</summary>
[GenerateSerializer, Alias("Maneiro.StagedChunk")]
public sealed record StagedChunk(
    [property: Id(0)] int Segment,
    [property: Id(1)] int Sequence,
    [property: Id(2)] string Sha256,
    [property: Id(3)] long Bytes,
    [property: Id(4)] string Key);

/// <summary>
/// The rules of a recording's staged chunks: which arriving chunk is stored (each sequence number once, its bytes
/// identified by their SHA-256 so a retry is recognised), and which chunks make the recording, in order.
/// </summary>
public static class StagedChunks
{
    /// <summary>The most chunks one segment may have (a chunk a second is over 13 hours).</summary>
    public const int MaxSequence = 50_000;

    public static string Id(int segment, int sequence) => $"{segment}:{sequence}";

    /// <summary>Where a chunk's bytes are stored: a new key per content, so racing different bytes never overwrite each other.</summary>
    public static string KeyFor(string recordingId, int segment, int sequence, string sha256) =>
        $"recordings/{recordingId}/{segment:D3}-{sequence:D6}-{sha256[..16]}";

    public static bool IsSha256Hex(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);

    public static ChunkAdmission Admit(IReadOnlyDictionary<string, StagedChunk> chunks, int currentSegment, int segment, int sequence, string sha256, long bytes, long maxBytes)
    {
        if (segment != currentSegment || sequence is < 0 or > MaxSequence)
        {
            // An old segment's late chunk is still welcome if it is a retry of one stored.
            return chunks.TryGetValue(Id(segment, sequence), out var old) && old.Sha256 == sha256 ? ChunkAdmission.AlreadyStored : ChunkAdmission.OutOfOrder;
        }

        if (chunks.TryGetValue(Id(segment, sequence), out var existing))
        {
            return existing.Sha256 == sha256 ? ChunkAdmission.AlreadyStored : ChunkAdmission.Conflict;
        }

        return chunks.Values.Sum(c => c.Bytes) + bytes > maxBytes ? ChunkAdmission.TooLarge : ChunkAdmission.Store;
    }

    /// <summary>How many chunks of each segment arrived without a gap from the first.</summary>
    public static IReadOnlyList<int> ContiguousPerSegment(IReadOnlyDictionary<string, StagedChunk> chunks, int segments) =>
        Enumerable.Range(0, segments).Select(segment =>
        {
            var count = 0;
            while (chunks.ContainsKey(Id(segment, count)))
            {
                count++;
            }

            return count;
        }).ToList();

    /// <summary>
    /// The chunks that make the recording, segment by segment in order: each segment's gap-free start, segments with none
    /// left out. With <paramref name="lastSegmentChunks"/>, null while the current segment has fewer than that.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<StagedChunk>>? InOrder(IReadOnlyDictionary<string, StagedChunk> chunks, int segments, int? lastSegmentChunks)
    {
        var contiguous = ContiguousPerSegment(chunks, segments);
        if (lastSegmentChunks is { } expected && contiguous[segments - 1] < expected)
        {
            return null;
        }

        return contiguous
            .Select((count, segment) => (IReadOnlyList<StagedChunk>)Enumerable.Range(0, lastSegmentChunks is { } n && segment == segments - 1 ? n : count).Select(sequence => chunks[Id(segment, sequence)]).ToList())
            .Where(segment => segment.Count > 0)
            .ToList();
    }
}
