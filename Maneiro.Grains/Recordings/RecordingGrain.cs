using Maneiro.Grains.Domain.Recordings;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;

namespace Maneiro.Grains.Recordings;

/// <summary>
/// A browser recording's staging (see <see cref="IRecordingGrain"/>). Not reentrant: chunk admissions, reports and
/// the assembly are one at a time, so a chunk is never both assembled and still arriving. The bytes never pass
/// through the grain; the web stores each chunk and reports it.
/// </summary>
[GrainType("recording")]
public sealed class RecordingGrain(
    [PersistentState("recording", GrainStorage.Name)] IPersistentState<RecordingState> state,
    IBlobStore blobs,
    IRecordingAssembler assembler,
    IJobIndexStore jobIndex,
    IRetentionClock clock) : Grain, IRecordingGrain, IRemindable
{
    /// <summary>How long a recording nobody submitted is kept, counted from its last chunk.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(24);

    private const string ExpiryReminder = "expire";

    private RecordingState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    public async Task<RecordingView> Begin(RecordingSettings settings, long maxBytes)
    {
        if (S.Settings is null)
        {
            (S.Settings, S.MaxBytes, S.StartedAt, S.LastChunkAt) = (settings, maxBytes, clock.Now, clock.Now);
            await GrainStorage.WriteAsync(state);
            await jobIndex.AddAsync(IndexKeys.RecordingsOf(settings.RecordedBy), [(Id, S.StartedAt)]);
            await this.RegisterOrUpdateReminder(ExpiryReminder, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        }

        return View(S.Settings);
    }

    public Task<RecordingView?> View() => Task.FromResult(S.Settings is { } settings ? View(settings) : null);

    public async Task<(ChunkAdmission Admission, string? Key)> Admit(int segment, int sequence, string sha256, long bytes)
    {
        if (S.Settings is null || S.Status != RecordingStatus.Recording || S.Assembled is not null || !StagedChunks.IsSha256Hex(sha256))
        {
            return (ChunkAdmission.Closed, null);
        }

        var admission = StagedChunks.Admit(S.Chunks, S.Segment, segment, sequence, sha256, bytes, S.MaxBytes);
        if (admission != ChunkAdmission.Store)
        {
            return (admission, null);
        }

        // Remembered before the bytes are written, so a blob whose report never comes is still deleted with the rest.
        var key = StagedChunks.KeyFor(Id, segment, sequence, sha256);
        if (S.AdmittedKeys.Add(key))
        {
            await GrainStorage.WriteAsync(state);
        }

        return (admission, key);
    }

    public async Task<bool> Stored(int segment, int sequence, string sha256, long bytes)
    {
        if (S.Settings is null || S.Status != RecordingStatus.Recording || S.Assembled is not null)
        {
            return false;
        }

        if (S.Chunks.TryGetValue(StagedChunks.Id(segment, sequence), out var existing))
        {
            return existing.Sha256 == sha256;
        }

        if (StagedChunks.Admit(S.Chunks, S.Segment, segment, sequence, sha256, bytes, S.MaxBytes) != ChunkAdmission.Store)
        {
            return false;
        }

        var key = StagedChunks.KeyFor(Id, segment, sequence, sha256);
        S.Chunks[StagedChunks.Id(segment, sequence)] = new StagedChunk(segment, sequence, sha256, bytes, key);
        S.AdmittedKeys.Remove(key);
        S.LastChunkAt = clock.Now;
        await GrainStorage.WriteAsync(state);
        return true;
    }

    public async Task<int> NewSegment()
    {
        if (S.Settings is not null && S.Status == RecordingStatus.Recording && S.Assembled is null && S.Chunks.Values.Any(c => c.Segment == S.Segment))
        {
            S.Segment++;
            S.LastChunkAt = clock.Now;
            await GrainStorage.WriteAsync(state);
        }

        return S.Segment;
    }

    public async Task<AssembledRecording?> Assemble(int? lastSegmentChunks)
    {
        if (S.Assembled is { } done)
        {
            return done;
        }

        if (S.Settings is null || S.Status != RecordingStatus.Recording || StagedChunks.InOrder(S.Chunks, S.Segment + 1, lastSegmentChunks) is not { Count: > 0 } segments)
        {
            return null;
        }

        var assembled = await assembler.AssembleAsync(segments.Select(s => (IReadOnlyList<string>)s.Select(c => c.Key).ToList()).ToList(), S.Settings.MediaType, BlobKeys.NewUploadKey(Id), CancellationToken.None);
        S.Assembled = assembled;
        await GrainStorage.WriteAsync(state);

        // The upload is saved: the chunks (and any that arrived out of order and were left out) go.
        await DeleteChunksAsync();
        return assembled;
    }

    public async Task MarkSubmitted()
    {
        if (S.Settings is null || S.Status == RecordingStatus.Submitted)
        {
            return;
        }

        S.Status = RecordingStatus.Submitted;
        await GrainStorage.WriteAsync(state);
        await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.RecordingsOf(S.Settings.RecordedBy)).Remove(Id);
        await StopExpiryAsync();
    }

    public async Task Discard()
    {
        if (S.Settings is not { } settings)
        {
            await StopExpiryAsync();
            return;
        }

        if (S.Status == RecordingStatus.Submitted)
        {
            // The analysis owns the upload now; deleting the analysis deletes it.
            return;
        }

        await DeleteChunksAsync();
        if (S.Assembled is { } assembled)
        {
            await blobs.DeleteAsync(assembled.BlobKey, CancellationToken.None);
        }

        await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.RecordingsOf(settings.RecordedBy)).Remove(Id);
        await StopExpiryAsync();
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public async Task<bool> ExpireIfAbandoned()
    {
        if (S.Settings is null || S.Status == RecordingStatus.Submitted)
        {
            await StopExpiryAsync();
            return false;
        }

        if (clock.Now - S.LastChunkAt < KeptFor)
        {
            return false;
        }

        await Discard();
        return true;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => ExpireIfAbandoned();

    private async Task DeleteChunksAsync()
    {
        if (S.Chunks.Count == 0 && S.AdmittedKeys.Count == 0)
        {
            return;
        }

        // Stored chunks, and any admitted whose storing was never reported (deleting a key never written is harmless).
        foreach (var key in S.Chunks.Values.Select(c => c.Key).Concat(S.AdmittedKeys).Distinct(StringComparer.Ordinal).ToList())
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
        }

        S.Chunks.Clear();
        S.AdmittedKeys.Clear();
        await GrainStorage.WriteAsync(state);
    }

    private async Task StopExpiryAsync()
    {
        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private RecordingView View(RecordingSettings settings)
    {
        var perSegment = Enumerable.Range(0, S.Segment + 1).Select(segment => S.Chunks.Values.Count(c => c.Segment == segment)).ToList();
        return new RecordingView(Id, settings, S.Status, S.StartedAt, S.LastChunkAt, S.Segment + 1, S.Chunks.Count, S.Chunks.Values.Sum(c => c.Bytes), perSegment);
    }
}
