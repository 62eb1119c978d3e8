namespace Maneiro.Grains.Interfaces;

[GenerateSerializer]
public enum JobStage
{
    Received = 0,
    Extracting = 1,
    Ocr = 2,
    Transcribing = 3,
    Analyzing = 4,
    Referencing = 5,
    Validating = 6,
    Complete = 7,
    Failed = 8,
    Canceled = 9,

    // Letter generation reuses the job machinery and its progress events with stages of its own.
    LoadingContext = 10,
    Drafting = 11,
    Formatting = 12,

    // An inbox item: read like an upload, then triaged by the model.
    Triaging = 13,

    // A dictation's transcript waits for its author to review (and perhaps edit) it before the model reads it.
    Reviewing = 14,
}

[GenerateSerializer, Immutable, Alias("Maneiro.StageEntry")]
public sealed record StageEntry(
    [property: Id(0)] JobStage Stage,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset? EndedAt);

/// <summary>One progress event, pushed to the job's owner as it happens.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.JobProgress")]
public sealed record JobProgress(
    [property: Id(0)] string JobId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] JobStage Stage,
    [property: Id(3)] int Percent,
    [property: Id(4)] string? Error,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string? Follower = null);

/// <summary>
/// An ordered list of ids, newest first. Keyed by <see cref="IndexKeys"/>: a user's analyses (the history page) or an
/// analysis's letters.
/// </summary>
[Alias("Maneiro.JobIndex")]
public interface IJobIndexGrain : IGrainWithStringKey
{
    /// <summary>
    /// Jobs of this version add their rows through the job index store instead; kept for silos of the previous version
    /// during a rolling upgrade (their jobs still call it).
    /// </summary>
    [Alias("Add")]
    Task Add(string jobId, DateTimeOffset createdAt);

    [Alias("Remove")]
    Task Remove(string jobId);

    [Alias("Page")]
    Task<IReadOnlyList<string>> Page(int skip, int take);

    [Alias("Count")]
    Task<int> Count();
}

/// <summary>The keys of <see cref="IJobIndexGrain"/> lists; stored data depends on them, so they never change.</summary>
public static class IndexKeys
{
    /// <summary>A user's analyses, keyed like the user grain.</summary>
    public static string AnalysesOf(string userId) => userId;

    /// <summary>The letters drafted from one analysis.</summary>
    public static string LettersOf(string analysisId) => "letters:" + analysisId;

    /// <summary>A member's browser recordings not yet submitted (offered for resumption on their next visit).</summary>
    public static string RecordingsOf(string userId) => "recordings:" + userId;

    /// <summary>A clinic's letter templates.</summary>
    public static string TemplatesOf(string clinicId) => "templates:" + clinicId;

    /// <summary>A clinic's data exports.</summary>
    public static string ExportsOf(string clinicId) => "exports:" + clinicId;
}

/// <summary>The one rule for when a job (analysis or letter) has stopped for good.</summary>
public static class JobStages
{
    public static bool IsTerminal(JobStage stage) => stage is JobStage.Complete or JobStage.Failed or JobStage.Canceled;

    /// <summary>A stage where the job waits for a person, not for work: nothing runs until they act.</summary>
    public static bool IsWaiting(JobStage stage) => stage is JobStage.Reviewing;
}

/// <summary>A job (analysis stage, transcription, letter) cannot go on; the message is for the user and is shown as the failure.</summary>
[GenerateSerializer, Alias("Maneiro.JobFailedException")]
public sealed class JobFailedException : Exception
{
    public JobFailedException()
    {
    }

    public JobFailedException(string message)
        : base(message)
    {
    }

    public JobFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Any staged job (an analysis, a letter, an inbox item), as the sweep of unfinished jobs sees it.</summary>
[Alias("Maneiro.ResumableJob")]
public interface IResumableJob : IGrainWithStringKey
{
    /// <summary>
    /// Goes on with an unfinished run if it is not running (activation alone does that); a job with nothing left to
    /// run takes itself off the unfinished list.
    /// </summary>
    [Alias("Wake")]
    Task Wake();
}
