namespace Maneiro.Grains.Interfaces;

[GenerateSerializer]
public enum RecordingStatus
{
    /// <summary>Chunks are arriving (or stopped arriving: the tab closed). Offered for resumption for a day.</summary>
    Recording = 0,

    /// <summary>Assembled into one upload and handed to an analysis (of the same id).</summary>
    Submitted = 1,
}

/// <summary>What a recording is for, fixed when it starts.</summary>
/// <param name="RecordedBy">The member recording it (for staff, the analysis is <paramref name="ForClinician"/>'s).</param>
/// <param name="MediaType">audio/webm or audio/ogg, as the browser's recorder makes it.</param>
[GenerateSerializer, Immutable, Alias("Maneiro.RecordingSettings")]
public sealed record RecordingSettings(
    [property: Id(0)] string RecordedBy,
    [property: Id(1)] string MediaType,
    [property: Id(2)] string Specialty,
    [property: Id(3)] SpeechOptions Speech,
    [property: Id(4)] string? ForClinician);

[GenerateSerializer, Immutable, Alias("Maneiro.RecordingView")]
public sealed record RecordingView(
    [property: Id(0)] string Id,
    [property: Id(1)] RecordingSettings Settings,
    [property: Id(2)] RecordingStatus Status,
    [property: Id(3)] DateTimeOffset StartedAt,
    [property: Id(4)] DateTimeOffset LastChunkAt,
    [property: Id(5)] int Segments,
    [property: Id(6)] int Chunks,
    [property: Id(7)] long Bytes,
    [property: Id(8)] IReadOnlyList<int> ChunksPerSegment);

[GenerateSerializer]
public enum ChunkAdmission
{
    /// <summary>New: store it under the key, then report it stored.</summary>
    Store = 0,

    /// <summary>The same bytes arrived before (a retry): nothing to store.</summary>
    AlreadyStored = 1,

    /// <summary>Different bytes under a sequence number already stored.</summary>
    Conflict = 2,

    /// <summary>The recording was submitted or has expired.</summary>
    Closed = 3,

    /// <summary>It would take the recording past the audio upload limit.</summary>
    TooLarge = 4,

    /// <summary>Not the recording's current segment, or a sequence number out of range.</summary>
    OutOfOrder = 5,
}

/// <summary>The recording assembled into one upload, ready to analyze.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.AssembledRecording")]
public sealed record AssembledRecording(
    [property: Id(0)] string BlobKey,
    [property: Id(1)] string MediaType,
    [property: Id(2)] long Bytes);

/// <summary>
/// A recording made in the browser, staged in ordered, idempotent chunks (each stored encrypted in the blob store
/// before it is acknowledged) so that a closed tab loses at most the chunk in flight. Keyed by the id its analysis
/// will have. A recording left unsubmitted is kept for a day, then deleted.
/// </summary>
[Alias("Maneiro.Recording")]
public interface IRecordingGrain : IGrainWithStringKey
{
    /// <summary>Starts the recording; calling it again changes nothing.</summary>
    [Alias("Begin")]
    Task<RecordingView> Begin(RecordingSettings settings, long maxBytes);

    /// <summary>The recording, or null when there is none under this id (never started, discarded or expired).</summary>
    [Alias("View")]
    Task<RecordingView?> View();

    /// <summary>Whether a chunk's bytes (by SHA-256, hex) are to be stored, and if so under which key.</summary>
    [Alias("Admit")]
    Task<(ChunkAdmission Admission, string? Key)> Admit(int segment, int sequence, string sha256, long bytes);

    /// <summary>Records a chunk stored under the key <see cref="Admit"/> gave; false if different bytes won the race.</summary>
    [Alias("Stored")]
    Task<bool> Stored(int segment, int sequence, string sha256, long bytes);

    /// <summary>Resumes recording after a break (a reload, the next visit): later chunks belong to a new segment, returned.</summary>
    [Alias("NewSegment")]
    Task<int> NewSegment();

    /// <summary>
    /// Joins the chunks into one upload (segments after the first re-encoded onto it) and deletes them. With
    /// <paramref name="lastSegmentChunks"/> the caller says how many chunks the current segment has: fewer arrived means
    /// some are still in flight (null is returned and nothing changes). Without it, what arrived in order is kept.
    /// Idempotent: a second call returns the same upload.
    /// </summary>
    [Alias("Assemble")]
    Task<AssembledRecording?> Assemble(int? lastSegmentChunks);

    /// <summary>The analysis of this id was started from the assembled upload.</summary>
    [Alias("MarkSubmitted")]
    Task MarkSubmitted();

    /// <summary>Deletes the recording's chunks (and an assembled upload not yet analyzed); the recording then reads as none.</summary>
    [Alias("Discard")]
    Task Discard();

    /// <summary>Discards the recording when nothing has arrived for a day (called by its reminder). Returns whether it did.</summary>
    [Alias("ExpireIfAbandoned")]
    Task<bool> ExpireIfAbandoned();
}
