using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Jobs;

/// <summary>What a job does when a stage throws.</summary>
public enum FailureAction
{
    /// <summary>A service hiccup: try the stage again after <see cref="JobFailurePolicy.RetryDelay"/>.</summary>
    Retry,

    /// <summary>The job cannot succeed: record the failure with the exception's message (it is written for the user).</summary>
    FailWithMessage,

    /// <summary>A tool ran out its time on this document: record <see cref="Services.ToolTimedOutException.UserMessage"/>; never retried.</summary>
    ToolTimedOut,

    /// <summary>Tried too often: record the failure with <see cref="JobFailurePolicy.GaveUpMessage"/>.</summary>
    GiveUp,

    /// <summary>The database is away: leave the saved state as it is and run again shortly.</summary>
    WaitForStorage,

    /// <summary>Another activation saved this job meanwhile: drop this activation and start over from what is stored.</summary>
    Reload,

    /// <summary>A bug: record a generic failure (the details go to the log only).</summary>
    FailUnexpected,
}

/// <summary>Which errors retry, which are final, and how long to wait: one rule for analyses and letters.</summary>
public static class JobFailurePolicy
{
    public const int MaxAttempts = 3;

    public const string GaveUpMessage = "A service this job depends on did not answer after several tries. Please try again later.";

    public const string StartLimitMessage = "This document could not be processed. Reading it stopped unexpectedly more than once, so it was not tried again; try a re-saved or printed-to-PDF copy.";

    public const string UnexpectedMessage = "Something went wrong while processing this job. Nothing else was affected; please try again.";

    /// <summary>Classifies a stage's exception; <paramref name="attempts"/> counts this failure.</summary>
    public static FailureAction Classify(Exception ex, int attempts) => ex switch
    {
        _ when IsTransient(ex) => attempts >= MaxAttempts ? FailureAction.GiveUp : FailureAction.Retry,
        JobFailedException => FailureAction.FailWithMessage,
        Services.ToolTimedOutException => FailureAction.ToolTimedOut,
        StorageUnavailableException => FailureAction.WaitForStorage,
        _ when IsStorageFailure(ex) => FailureAction.WaitForStorage,
        Orleans.Storage.InconsistentStateException => FailureAction.Reload,
        _ => FailureAction.FailUnexpected,
    };

    public static TimeSpan RetryDelay(int attempts) => TimeSpan.FromSeconds(2 * attempts);

    /// <summary>
    /// What failed, for the log: the exception's type with the HTTP status or the network error where there is one,
    /// and the innermost cause's type. Never the message (a service's message may quote the document).
    /// </summary>
    public static string Describe(Exception ex)
    {
        var detail = ex switch
        {
            System.ClientModel.ClientResultException { Status: > 0 } result => $" (HTTP {result.Status})",
            HttpRequestException { StatusCode: { } status } => $" (HTTP {(int)status})",
            HttpRequestException http => $" ({http.HttpRequestError})",
            _ => string.Empty,
        };
        var inner = ex.GetBaseException();
        return ex.GetType().Name + detail + (ReferenceEquals(inner, ex) ? string.Empty : " caused by " + inner.GetType().Name);
    }

    public static bool IsTransient(Exception ex) => ex is HttpRequestException or TimeoutException or IOException or System.ClientModel.ClientResultException;

    private static bool IsStorageFailure(Exception ex) => ex is System.Data.Common.DbException || (ex.InnerException is { } inner && IsStorageFailure(inner));
}
