using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;

namespace Maneiro.Grains.Analyses;

/// <summary>
/// An analysis's progress, saved at every stage: small on purpose. The large output lives in
/// <see cref="AnalysisOutputState"/>. The alias and ids are those of the single-row state written before the split;
/// ids 6, 9, 10 and 15 held the output then and are read only to move it (<see cref="HasLegacyOutput"/>), never reused.
/// </summary>
[GenerateSerializer, Alias("Maneiro.JobState")]
public sealed class AnalysisState : IStagedJobState
{
    [Id(0)] public AnalysisRequest? Request { get; set; }

    [Id(1)] public JobStage Stage { get; set; }

    [Id(2)] public int Percent { get; set; }

    [Id(3)] public List<StageEntry> History { get; set; } = [];

    [Id(4)] public string? FailureMessage { get; set; }

    [Id(5)] public TextSource TextSource { get; set; }

    [Id(6)] public string? LegacyExtractedText { get; set; }

    [Id(7)] public int PageCount { get; set; }

    [Id(8)] public List<double> OcrConfidence { get; set; } = [];

    [Id(9)] public string? LegacyAnalysisJson { get; set; }

    [Id(10)] public AnalysisResult? LegacyResult { get; set; }

    [Id(11)] public int TokensUsed { get; set; }

    [Id(12)] public int Attempts { get; set; }

    [Id(13)] public DateTimeOffset CreatedAt { get; set; }

    [Id(14)] public int LlmCalls { get; set; }

    [Id(15)] public List<Reference>? LegacyReferences { get; set; }

    [Id(16)] public bool ReferencesUnavailable { get; set; }

    [Id(17)] public AnalysisHeadline? Headline { get; set; }

    [Id(18)] public int StageStarts { get; set; }

    /// <summary>When the recording was deleted after transcription, as the clinic's retention policy asks.</summary>
    [Id(19)] public DateTimeOffset? AudioDeletedAt { get; set; }

    public bool HasLegacyOutput => LegacyExtractedText is not null || LegacyAnalysisJson is not null || LegacyResult is not null || LegacyReferences is not null;
}
