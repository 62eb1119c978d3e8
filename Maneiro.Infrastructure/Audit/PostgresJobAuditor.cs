namespace Maneiro.Infrastructure.Audit;

public sealed class PostgresJobAuditor(AuditLog audit) : IJobAuditor
{
    // Details carry the outcome and duration only: an error message is ours, never document text.
    public Task JobFinishedAsync(string ownerId, string jobId, bool succeeded, string? failureMessage, TimeSpan duration, int tokens, string specialty) =>
        audit.AppendAsync(
            succeeded ? AuditActions.JobCompleted : AuditActions.JobFailed,
            succeeded ? AuditOutcomes.Success : AuditOutcomes.Failure,
            ownerId,
            "silo",
            jobId,
            succeeded
                ? new { duration_ms = (long)duration.TotalMilliseconds, tokens, specialty }
                : new { duration_ms = (long)duration.TotalMilliseconds, error = failureMessage, tokens, specialty });

    public Task LetterFinishedAsync(string ownerId, string letterId, bool succeeded, string? failureMessage, TimeSpan duration) =>
        Finished(succeeded ? AuditActions.LetterGenerated : AuditActions.LetterFailed, ownerId, letterId, succeeded, failureMessage, duration);

    public Task UsageRefusedAsync(string ownerId, string jobId, UsageKind kind) =>
        audit.AppendAsync(AuditActions.UsageLimitReached, AuditOutcomes.Denied, ownerId, "silo", jobId, new { kind = kind.ToString() });

    private Task Finished(string action, string ownerId, string id, bool succeeded, string? failureMessage, TimeSpan duration) =>
        audit.AppendAsync(
            action,
            succeeded ? AuditOutcomes.Success : AuditOutcomes.Failure,
            ownerId,
            "silo",
            id,
            succeeded ? new { duration_ms = (long)duration.TotalMilliseconds } : new { duration_ms = (long)duration.TotalMilliseconds, error = failureMessage });
}
