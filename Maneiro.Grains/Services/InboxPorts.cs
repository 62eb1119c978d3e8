using Maneiro.Grains.Domain.Inbox;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Services;

public sealed record TriageOutput(TriageDocument Document, int TokensUsed);

/// <summary>Asks the model to triage an inbox document (kind, urgency, sender, patient, facts with quotes, tasks).</summary>
public interface IIntakeTriager
{
    Task<TriageOutput> TriageAsync(string text, IReadOnlyList<string> clinicianEmails, CancellationToken cancellationToken);
}

/// <summary>An inbox item's row in its clinic's index: what the inbox table shows and filters on.</summary>
public sealed record IntakeIndexRow(
    string ClinicId,
    string ItemId,
    DateTimeOffset CreatedAt,
    IntakeStatus Status,
    IntakeKind? Kind,
    IntakeUrgency? Urgency,
    string PatientName,
    string PatientDateOfBirth,
    string Sender,
    string? AssignedTo,
    string FileName,
    string UploadedBy,
    string? Error);

/// <summary>
/// The per-clinic index of inbox items (a PostgreSQL table). It holds patient names and dates of birth, so every read
/// names the clinic, and a clinic's rows can be purged with it.
/// </summary>
public interface IIntakeIndex
{
    Task SaveAsync(IntakeIndexRow row, CancellationToken cancellationToken);

    Task RemoveAsync(string clinicId, string itemId, CancellationToken cancellationToken);

    /// <summary>The clinic's items received before <paramref name="cutoff"/> (for the retention sweeper).</summary>
    Task<IReadOnlyList<string>> ReceivedBeforeAsync(string clinicId, DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>Tells every web process that an item of a clinic's inbox changed, for the members viewing it.</summary>
public interface IInboxPublisher
{
    Task ChangedAsync(string clinicId, string itemId);
}
