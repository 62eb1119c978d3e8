namespace Maneiro.Grains.Interfaces;

/// <summary>
/// How long a clinic keeps its patients' documents: uploads, extracted text, results, letters and inbox items older
/// than <see cref="Days"/> are deleted by the sweeper (null: kept until deleted by hand); and whether a recording is
/// deleted once it has been transcribed. <see cref="Chosen"/> is false until an admin has saved a choice.
/// </summary>
[GenerateSerializer, Immutable, Alias("Maneiro.RetentionPolicy")]
public sealed record RetentionPolicy(
    [property: Id(0)] int? Days,
    [property: Id(1)] bool DeleteAudioAfterTranscription,
    [property: Id(2)] bool Chosen)
{
    public const int MinDays = 1;
    public const int MaxDays = 365;

    /// <summary>A clinic founded now: nothing is deleted until the admin chooses, but recordings are not kept.</summary>
    public static RetentionPolicy ForNewClinic { get; } = new(null, true, false);

    /// <summary>A clinic that existed before retention: everything kept as it was, until the admin chooses.</summary>
    public static RetentionPolicy ForExistingClinic { get; } = new(null, false, false);
}

/// <summary>What one sweep removed.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.SweepReport")]
public sealed record SweepReport(
    [property: Id(0)] string SweepId,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset? FinishedAt,
    [property: Id(3)] DateTimeOffset Cutoff,
    [property: Id(4)] int Analyses,
    [property: Id(5)] int Letters,
    [property: Id(6)] int IntakeItems,
    [property: Id(7)] bool Purge = false);

[GenerateSerializer, Immutable, Alias("Maneiro.RetentionStatus")]
public sealed record RetentionStatus(
    [property: Id(0)] SweepReport? Running,
    [property: Id(1)] SweepReport? Last);

/// <summary>
/// A clinic's retention sweeper, keyed by the clinic id. A reminder runs a sweep periodically while the clinic has a
/// retention period; a sweep is saved as it goes and resumes after a crash (activation picks it up).
/// </summary>
[Alias("Maneiro.Retention")]
public interface IRetentionGrain : IGrainWithStringKey
{
    /// <summary>Starts a sweep now unless one is running (then returns that one); null when the clinic keeps everything.</summary>
    [Alias("Sweep")]
    Task<SweepReport?> Sweep();

    [Alias("Status"), Orleans.Concurrency.AlwaysInterleave]
    Task<RetentionStatus> Status();

    /// <summary>Registers the periodic sweep (the clinic has a retention period) or removes it (it keeps everything); the clinic says which, as it cannot be asked back.</summary>
    [Alias("Schedule")]
    Task Schedule(bool sweepPeriodically);

    /// <summary>Deletes all of the clinic's data now, running analyses included (the clinic is being deleted); then tells the clinic.</summary>
    [Alias("Purge")]
    Task<SweepReport> Purge();
}
