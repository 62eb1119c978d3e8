using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Inbox;

/// <summary>An inbox item's stages: the PDF text layer (or OCR when it has none), then triage.</summary>
public static class IntakeStages
{
    /// <summary>The most characters of a document an item keeps (a long fax's OCR text); the model is sent the first part.</summary>
    public const int MaxKeptCharacters = 250_000;

    public static JobStage First(InputKind kind) => kind == InputKind.Pdf ? JobStage.Extracting : JobStage.Ocr;

    public static JobStage Next(JobStage finished, bool hasText) => finished switch
    {
        JobStage.Extracting => hasText ? JobStage.Triaging : JobStage.Ocr,
        JobStage.Ocr => JobStage.Triaging,
        _ => JobStage.Complete,
    };

    public static int PercentAt(JobStage stage) => stage switch
    {
        JobStage.Extracting => 10,
        JobStage.Ocr => 25,
        JobStage.Triaging => 70,
        _ => 100,
    };

    /// <summary>What the inbox shows as the item's status.</summary>
    public static IntakeStatus Status(JobStage stage, string? assignedTo, DateTimeOffset? doneAt) => stage switch
    {
        _ when doneAt is not null && JobStages.IsTerminal(stage) => IntakeStatus.Done,
        JobStage.Failed or JobStage.Canceled => IntakeStatus.Failed,
        JobStage.Complete when assignedTo is not null => IntakeStatus.Assigned,
        JobStage.Complete => IntakeStatus.Triaged,
        _ => IntakeStatus.Reading,
    };
}
