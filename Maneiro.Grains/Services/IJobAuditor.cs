namespace Maneiro.Grains.Services;

/// <summary>Writes the audit rows for what a job does on its own (completing, failing), wherever its silo runs.</summary>
public interface IJobAuditor
{
    /// <summary>An analysis finished; its model tokens and specialty feed the admins' cost figures.</summary>
    Task JobFinishedAsync(string ownerId, string jobId, bool succeeded, string? failureMessage, TimeSpan duration, int tokens, string specialty);

    Task LetterFinishedAsync(string ownerId, string letterId, bool succeeded, string? failureMessage, TimeSpan duration);

    /// <summary>An inbox item was read and triaged (or could not be), under its clinic.</summary>
    Task IntakeTriagedAsync(string clinicId, string uploaderId, string itemId, bool succeeded, string? failureMessage, TimeSpan duration, int tokens);

    /// <summary>A retention sweep of a clinic finished, with its counts (one row per sweep).</summary>
    Task RetentionSweptAsync(string clinicId, Maneiro.Grains.Interfaces.SweepReport report);

    /// <summary>A reservation was refused because the plan's allowance is used up (the user grain names its clinic: it cannot be asked back).</summary>
    Task UsageRefusedAsync(string ownerId, string jobId, Maneiro.Grains.Interfaces.UsageKind kind, string? clinicId);
}
