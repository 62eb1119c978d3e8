namespace Maneiro.Grains.Interfaces;

/// <summary>What an incoming document is. The names are the triage schema's values in snake case.</summary>
[GenerateSerializer]
public enum IntakeKind
{
    Referral = 0,
    ConsultationReport = 1,
    LabResult = 2,
    ImagingReport = 3,
    PriorAuthorizationRequest = 4,
    PriorAuthorizationDecision = 5,
    InsuranceCorrespondence = 6,
    RecordsRequest = 7,
    Prescription = 8,
    PatientMessage = 9,
    Other = 10,
}

/// <summary>How soon someone must act; the order is the inbox's sort order (stat first).</summary>
[GenerateSerializer]
public enum IntakeUrgency
{
    Stat = 0,
    Urgent = 1,
    Soon = 2,
    Routine = 3,
}

[GenerateSerializer]
public enum IntakeStatus
{
    Reading = 0,
    Triaged = 1,
    Assigned = 2,
    Done = 3,
    Failed = 4,
}

/// <summary>A value read from the document with the words on the page it came from; both empty when the page did not say.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.QuotedValue")]
public sealed record QuotedValue(
    [property: Id(0)] string Value,
    [property: Id(1)] string Quote)
{
    public static QuotedValue Empty { get; } = new("", "");

    public bool IsEmpty => Value.Length == 0;
}

[GenerateSerializer, Immutable, Alias("Maneiro.IntakeFact")]
public sealed record IntakeFact(
    [property: Id(0)] string Fact,
    [property: Id(1)] string Quote);

[GenerateSerializer, Immutable, Alias("Maneiro.IntakeTask")]
public sealed record IntakeTask(
    [property: Id(0)] string Text,
    [property: Id(1)] bool Done,
    [property: Id(2)] string? DoneBy,
    [property: Id(3)] DateTimeOffset? DoneAt);

/// <summary>
/// An item's triage: the model's reading after our checks (every field's quote was found on the page, or the field is
/// empty; the suggested clinician is a clinician of the clinic or nobody), the clinic's urgency rule applied, and any
/// edits members made since.
/// </summary>
[GenerateSerializer, Immutable, Alias("Maneiro.IntakeTriage")]
public sealed record IntakeTriage(
    [property: Id(0)] IntakeKind Kind,
    [property: Id(1)] IntakeUrgency Urgency,
    [property: Id(2)] IntakeUrgency ModelUrgency,
    [property: Id(3)] string UrgencyReason,
    [property: Id(4)] QuotedValue SenderProvider,
    [property: Id(5)] QuotedValue SenderClinic,
    [property: Id(6)] QuotedValue SenderFax,
    [property: Id(7)] QuotedValue PatientName,
    [property: Id(8)] QuotedValue PatientDateOfBirth,
    [property: Id(9)] IReadOnlyList<IntakeFact> Facts,
    [property: Id(10)] string? SuggestedClinicianId,
    [property: Id(11)] IReadOnlyList<IntakeTask> FrontDeskTasks,
    [property: Id(12)] IReadOnlyList<IntakeTask> ClinicianTasks,
    [property: Id(13)] int DroppedQuotes);

/// <summary>A clinic rule that sets the urgency of matching items, whatever the model guessed (first matching rule wins).</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.InboxUrgencyRule")]
public sealed record InboxUrgencyRule(
    [property: Id(0)] IntakeKind? Kind,
    [property: Id(1)] string Keyword,
    [property: Id(2)] IntakeUrgency Urgency);

/// <summary>When to see the patient for an urgency, and for how long.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.InboxSchedule")]
public sealed record InboxSchedule(
    [property: Id(0)] IntakeUrgency Urgency,
    [property: Id(1)] string Timing,
    [property: Id(2)] int VisitMinutes);

[GenerateSerializer, Immutable, Alias("Maneiro.InboxSettings")]
public sealed record InboxSettings(
    [property: Id(0)] IReadOnlyList<InboxUrgencyRule> Rules,
    [property: Id(1)] IReadOnlyList<InboxSchedule> Schedule)
{
    /// <summary>A new clinic's table: editable by its admins, never read from code after that.</summary>
    public static InboxSettings Default { get; } = new(
        [],
        [
            new InboxSchedule(IntakeUrgency.Stat, "Same day", 30),
            new InboxSchedule(IntakeUrgency.Urgent, "Within 24–48 hours", 30),
            new InboxSchedule(IntakeUrgency.Soon, "Within 1–2 weeks", 20),
            new InboxSchedule(IntakeUrgency.Routine, "Within 4–6 weeks", 20),
        ]);

    public InboxSchedule? ScheduleFor(IntakeUrgency urgency) => Schedule.FirstOrDefault(s => s.Urgency == urgency);
}

/// <summary>A document dropped into the clinic inbox, already stored encrypted under <see cref="BlobKey"/>.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.IntakeUpload")]
public sealed record IntakeUpload(
    [property: Id(0)] string ClinicId,
    [property: Id(1)] string UploadedBy,
    [property: Id(2)] string BlobKey,
    [property: Id(3)] InputKind Kind,
    [property: Id(4)] string MediaType,
    [property: Id(5)] long SizeBytes,
    [property: Id(6)] string FileName);

/// <summary>Member edits to an item's extracted fields (null leaves a field as it is; an empty string clears it).</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.IntakeEdit")]
public sealed record IntakeEdit(
    [property: Id(0)] IntakeKind Kind,
    [property: Id(1)] IntakeUrgency Urgency,
    [property: Id(2)] string SenderProvider,
    [property: Id(3)] string SenderClinic,
    [property: Id(4)] string SenderFax,
    [property: Id(5)] string PatientName,
    [property: Id(6)] string PatientDateOfBirth);

/// <summary>An inbox item as pages see it.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.IntakeItemView")]
public sealed record IntakeItemView(
    [property: Id(0)] string ItemId,
    [property: Id(1)] IntakeUpload Upload,
    [property: Id(2)] IntakeStatus Status,
    [property: Id(3)] JobStage Stage,
    [property: Id(4)] int Percent,
    [property: Id(5)] string? Error,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] TextSource TextSource,
    [property: Id(8)] int PageCount,
    [property: Id(9)] IntakeTriage? Triage,
    [property: Id(10)] string? AssignedTo,
    [property: Id(11)] string? AnalysisId,
    [property: Id(12)] DateTimeOffset? DoneAt,
    [property: Id(13)] string? LastEditedBy);

/// <summary>
/// One document in a clinic's inbox, keyed by a generated id: read (text layer or OCR), triaged by the model, then
/// edited, assigned and done by members. Every change names the acting member, checked against the clinic's roster.
/// </summary>
[Alias("Maneiro.IntakeItem")]
public interface IIntakeItemGrain : IGrainWithStringKey
{
    /// <summary>Starts reading the document; calling it again for the same id changes nothing.</summary>
    [Alias("Start")]
    Task<IntakeItemView> Start(IntakeUpload upload);

    /// <summary>The item, or null when there is no such item.</summary>
    [Alias("View"), Orleans.Concurrency.AlwaysInterleave]
    Task<IntakeItemView?> View();

    /// <summary>The text read from the document (empty until it is read).</summary>
    [Alias("Text"), Orleans.Concurrency.AlwaysInterleave]
    Task<string> Text();

    [Alias("Edit")]
    Task<IntakeItemView> Edit(string actorId, IntakeEdit edit);

    /// <summary>Ticks or unticks one task of the front-desk list or, for clinicians, of the clinician list.</summary>
    [Alias("Tick")]
    Task<IntakeItemView> Tick(string actorId, bool clinicianList, int index, bool done);

    /// <summary>
    /// Gives the item to a clinician: starts their analysis <paramref name="analysisId"/> on the text already read (no
    /// second OCR). Assigning again to the same clinician returns the item as it is.
    /// </summary>
    [Alias("Assign")]
    Task<IntakeItemView> Assign(string actorId, string clinicianId, string analysisId);

    [Alias("MarkDone")]
    Task<IntakeItemView> MarkDone(string actorId);

    /// <summary>Removes the original, the text, the state and the index row (the retention sweeper); the item then reads as not found.</summary>
    [Alias("Delete")]
    Task<bool> Delete();
}
