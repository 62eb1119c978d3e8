namespace Maneiro.Grains.Services;

/// <summary>
/// The sweeper's "now". In production the system clock; a test replaces it to sweep as of a later day without moving
/// every clock in the process (Orleans itself reads the host's TimeProvider).
/// </summary>
public interface IRetentionClock
{
    DateTimeOffset Now { get; }
}

public sealed class SystemRetentionClock(TimeProvider time) : IRetentionClock
{
    public DateTimeOffset Now => time.GetUtcNow();
}

/// <summary>A record a sweep deleted: kept (ids and dates only, no patient data) so its page can say what happened to it.</summary>
public sealed record SweptRecord(string RecordId, string Kind, string ClinicId, string SweepId, DateTimeOffset SweptAt);

/// <summary>The sweeper's notes of what it deleted (a PostgreSQL table): idempotent, and counted per sweep.</summary>
public interface ISweptRecords
{
    Task RecordAsync(SweptRecord record, CancellationToken cancellationToken);

    /// <summary>How many records of each kind one sweep deleted.</summary>
    Task<IReadOnlyDictionary<string, int>> CountsAsync(string sweepId, CancellationToken cancellationToken);
}

/// <summary><c>Retention:Day</c>: the length of a retention "day" (tests shorten it); <c>Retention:SweepEvery</c>: how often a clinic is swept.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    public TimeSpan Day { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromHours(6);
}

public static class SweptKinds
{
    public const string Analysis = "analysis";
    public const string Letter = "letter";
    public const string IntakeItem = "intake_item";
}

/// <summary>
/// An encrypted archive being written: each entry is streamed in (AES-256, the password never written anywhere), and
/// the finished archive is stored in the blob store under the key it was opened with.
/// </summary>
public interface IExportArchive : IAsyncDisposable
{
    Task AddJsonAsync(string path, object value, CancellationToken cancellationToken);

    /// <summary>Streams a stored blob into the archive; false when the blob is gone (it is listed as missing).</summary>
    Task<bool> AddBlobAsync(string path, string blobKey, CancellationToken cancellationToken);

    /// <summary>The clinic's audit rows, as one JSON entry.</summary>
    Task<int> AddAuditAsync(string path, string clinicId, CancellationToken cancellationToken);

    /// <summary>Closes the archive and stores it; returns its size.</summary>
    Task<long> CompleteAsync(CancellationToken cancellationToken);
}

public interface IExportArchives
{
    IExportArchive Open(string blobKey, string password);
}
