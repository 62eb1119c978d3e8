using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Jobs;

/// <summary>Persisted state of <see cref="AnalysisJobGrain"/>: each stage's output is saved as soon as the stage ends.</summary>
[GenerateSerializer, Alias("Maneiro.JobState")]
public sealed class JobState : IStagedJobState
{
    [Id(0)] public JobRequest? Request { get; set; }

    [Id(1)] public JobStage Stage { get; set; }

    [Id(2)] public int Percent { get; set; }

    [Id(3)] public List<StageEntry> History { get; set; } = [];

    [Id(4)] public string? Error { get; set; }

    string? IStagedJobState.FailureMessage { get => Error; set => Error = value; }

    [Id(5)] public TextSource TextSource { get; set; }

    [Id(6)] public string? ExtractedText { get; set; }

    [Id(7)] public int PageCount { get; set; }

    [Id(8)] public List<double> OcrConfidence { get; set; } = [];

    /// <summary>The model's validated JSON answer; once set, the LLM is never asked again for this job.</summary>
    [Id(9)] public string? AnalysisJson { get; set; }

    [Id(10)] public AnalysisResult? Result { get; set; }

    [Id(11)] public int TokensUsed { get; set; }

    [Id(12)] public int Attempts { get; set; }

    [Id(13)] public DateTimeOffset CreatedAt { get; set; }

    [Id(14)] public int LlmCalls { get; set; }

    /// <summary>Verified references, once fetched (empty when PubMed was unreachable).</summary>
    [Id(15)] public List<Reference>? References { get; set; }

    [Id(16)] public bool ReferencesUnavailable { get; set; }
}
