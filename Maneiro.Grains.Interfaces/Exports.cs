namespace Maneiro.Grains.Interfaces;

[GenerateSerializer]
public enum ExportStatus
{
    Running = 0,
    Complete = 1,
    Failed = 2,
}

/// <summary>A clinic export as the admin sees it (its password is never stored: it was shown once when it started).</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.ClinicExportView")]
public sealed record ClinicExportView(
    [property: Id(0)] string ExportId,
    [property: Id(1)] string ClinicId,
    [property: Id(2)] string RequestedBy,
    [property: Id(3)] ExportStatus Status,
    [property: Id(4)] int Done,
    [property: Id(5)] int Total,
    [property: Id(6)] DateTimeOffset StartedAt,
    [property: Id(7)] DateTimeOffset? FinishedAt,
    [property: Id(8)] long SizeBytes,
    [property: Id(9)] string? Error,
    [property: Id(10)] DateTimeOffset? ExpiresAt)
{
    public int Percent => Total == 0 ? (Status == ExportStatus.Complete ? 100 : 0) : Math.Min(100, 100 * Done / Total);
}

/// <summary>
/// One export of a clinic's data, keyed by a generated id: a background job that streams the clinic's analyses, letters
/// (every version), inbox items, audit rows and original files into an AES-256 encrypted zip in the blob store. The
/// password lives only in the running job's memory: a job interrupted by a crash fails cleanly and is started again.
/// </summary>
[Alias("Maneiro.ClinicExport")]
public interface IClinicExportGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task<ClinicExportView> Start(string clinicId, string actorId, string password);

    [Alias("View"), Orleans.Concurrency.AlwaysInterleave]
    Task<ClinicExportView?> View();

    /// <summary>The blob key of a complete export, for an admin of its clinic (checked against the roster).</summary>
    [Alias("Download")]
    Task<string> Download(string actorId);

    /// <summary>Deletes the archive and the export (a day after it started, or with its clinic).</summary>
    [Alias("Delete")]
    Task Delete();
}
