namespace Maneiro.Infrastructure.Audit;

public sealed class PostgresJobAuditor(AuditLog audit, AuditClinics clinics) : IJobAuditor
{
    // Details carry the outcome and duration (and an analysis's tokens and specialty) only: an error message is ours,
    // never document text.
    public Task JobFinishedAsync(string ownerId, string jobId, bool succeeded, string? failureMessage, TimeSpan duration, int tokens, string specialty) =>
        Finished(succeeded ? AuditActions.JobCompleted : AuditActions.JobFailed, ownerId, jobId, succeeded, failureMessage, duration, new() { ["tokens"] = tokens, ["specialty"] = specialty });

    public Task LetterFinishedAsync(string ownerId, string letterId, bool succeeded, string? failureMessage, TimeSpan duration) =>
        Finished(succeeded ? AuditActions.LetterGenerated : AuditActions.LetterFailed, ownerId, letterId, succeeded, failureMessage, duration, []);

    public async Task IntakeTriagedAsync(string clinicId, string uploaderId, string itemId, bool succeeded, string? failureMessage, TimeSpan duration, int tokens)
    {
        var details = new Dictionary<string, object?> { ["duration_ms"] = (long)duration.TotalMilliseconds, ["tokens"] = tokens };
        if (!succeeded)
        {
            details["error"] = failureMessage;
        }

        await audit.AppendAsync(succeeded ? AuditActions.InboxTriaged : AuditActions.InboxTriageFailed, succeeded ? AuditOutcomes.Success : AuditOutcomes.Failure, uploaderId, "silo", itemId, details, clinicId: clinicId);
    }

    public Task RetentionSweptAsync(string clinicId, SweepReport report) =>
        audit.AppendAsync(AuditActions.RetentionSwept, AuditOutcomes.Success, null, "silo", clinicId, new { sweep = report.SweepId, cutoff = report.Cutoff, analyses = report.Analyses, letters = report.Letters, intake_items = report.IntakeItems }, clinicId: clinicId);

    public Task UsageRefusedAsync(string ownerId, string jobId, UsageKind kind, string? clinicId) =>
        audit.AppendAsync(AuditActions.UsageLimitReached, AuditOutcomes.Denied, ownerId, "silo", jobId, new { kind = kind.ToString() }, clinicId: clinicId);

    private async Task Finished(string action, string ownerId, string id, bool succeeded, string? failureMessage, TimeSpan duration, Dictionary<string, object?> extra)
    {
        var details = new Dictionary<string, object?> { ["duration_ms"] = (long)duration.TotalMilliseconds };
        if (!succeeded)
        {
            details["error"] = failureMessage;
        }

        foreach (var (key, value) in extra)
        {
            details[key] = value;
        }

        await audit.AppendAsync(action, succeeded ? AuditOutcomes.Success : AuditOutcomes.Failure, ownerId, "silo", id, details, clinicId: await clinics.OfAsync(ownerId));
    }
}
