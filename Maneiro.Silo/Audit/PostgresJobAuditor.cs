using Maneiro.Grains.Services;

namespace Maneiro.Silo.Audit;

public sealed class PostgresJobAuditor(AuditLog audit) : IJobAuditor
{
    // Details carry the outcome only: an error message is ours, never document text.
    public Task JobFinishedAsync(string ownerId, string jobId, bool succeeded, string? failureMessage) =>
        audit.AppendAsync(
            succeeded ? AuditActions.JobCompleted : AuditActions.JobFailed,
            succeeded ? AuditOutcomes.Success : AuditOutcomes.Failure,
            ownerId,
            "silo",
            jobId,
            succeeded ? null : new { error = failureMessage });

    public Task LetterFinishedAsync(string ownerId, string letterId, bool succeeded, string? failureMessage) =>
        audit.AppendAsync(
            succeeded ? AuditActions.LetterGenerated : AuditActions.LetterFailed,
            succeeded ? AuditOutcomes.Success : AuditOutcomes.Failure,
            ownerId,
            "silo",
            letterId,
            succeeded ? null : new { error = failureMessage });
}
