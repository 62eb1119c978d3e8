using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;

namespace Maneiro.Grains.Inbox;

/// <summary>An inbox item's small state, saved at every stage and change. The text it read is in <see cref="IntakeTextState"/>.</summary>
[GenerateSerializer, Alias("Maneiro.IntakeItemState")]
public sealed class IntakeItemState : IStagedJobState
{
    [Id(0)] public IntakeUpload? Upload { get; set; }

    [Id(1)] public JobStage Stage { get; set; }

    [Id(2)] public int Percent { get; set; }

    [Id(3)] public List<StageEntry> History { get; set; } = [];

    [Id(4)] public string? FailureMessage { get; set; }

    [Id(5)] public int Attempts { get; set; }

    [Id(6)] public int StageStarts { get; set; }

    [Id(7)] public DateTimeOffset CreatedAt { get; set; }

    [Id(8)] public TextSource TextSource { get; set; }

    [Id(9)] public int PageCount { get; set; }

    [Id(10)] public IntakeTriage? Triage { get; set; }

    [Id(11)] public string? AssignedTo { get; set; }

    [Id(12)] public string? AnalysisId { get; set; }

    [Id(13)] public DateTimeOffset? DoneAt { get; set; }

    [Id(14)] public string? LastEditedBy { get; set; }

    [Id(15)] public int TokensUsed { get; set; }
}

/// <summary>The text an inbox item read, kept for its page and handed to the analysis when it is assigned.</summary>
[GenerateSerializer, Alias("Maneiro.IntakeTextState")]
public sealed class IntakeTextState
{
    [Id(0)] public string? Text { get; set; }
}
