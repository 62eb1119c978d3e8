using Maneiro.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Maneiro.Grains.Jobs;

/// <summary>The stage machinery's log lines: ids and stages only, never content.</summary>
internal static partial class JobLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{JobKind} {JobId} finished: {Outcome} after {DurationMs} ms")]
    public static partial void Finished(this ILogger logger, string jobKind, string jobId, JobStage outcome, long durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming job {JobId} at stage {Stage}")]
    public static partial void Resuming(this ILogger logger, string jobId, JobStage stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} stage {Stage} attempt {Attempt} failed: {ErrorType}")]
    public static partial void TransientFailure(this ILogger logger, string jobId, JobStage stage, int attempt, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} stage {Stage} was saved by another activation meanwhile; this activation stops and the job resumes from what is stored")]
    public static partial void Reloading(this ILogger logger, string jobId, JobStage stage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed unexpectedly at stage {Stage}")]
    public static partial void Unexpected(this ILogger logger, Exception exception, string jobId, JobStage stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} finished, but its bookkeeping failed: {ErrorType}")]
    public static partial void AfterFinishFailed(this ILogger logger, string jobId, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} stage {Stage} was started {Starts} times without finishing; failing it instead of starting it again")]
    public static partial void StartLimitReached(this ILogger logger, string jobId, JobStage stage, int starts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The start count of job {JobId} could not be saved: {ErrorType}")]
    public static partial void StartNotForgotten(this ILogger logger, string jobId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress for job {JobId} could not be published: {ErrorType}")]
    public static partial void PublishFailed(this ILogger logger, string jobId, string errorType);

    /// <summary>Every log line of a run names the job and its owner.</summary>
    public static IDisposable? RunScope(this ILogger logger, string jobId, string ownerId) =>
        logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId, ["UserId"] = ownerId });
}
