using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Analyses;

/// <summary>An analysis's output, written once per stage that produces it and read only where it is shown.</summary>
[GenerateSerializer, Alias("Maneiro.AnalysisOutputState")]
public sealed class AnalysisOutputState
{
    [Id(0)] public string? ExtractedText { get; set; }

    /// <summary>The model's validated JSON answer; once set, the model is never asked again for this analysis.</summary>
    [Id(1)] public string? AnalysisJson { get; set; }

    /// <summary>Verified references, once fetched (empty when PubMed was unreachable).</summary>
    [Id(2)] public List<Reference>? References { get; set; }

    [Id(3)] public AnalysisResult? Result { get; set; }

    /// <summary>The whole extracted text's length when only its first part was kept and analysed (the rest is in the blob store).</summary>
    [Id(4)] public int? FullTextLength { get; set; }

    /// <summary>What the one code-repair round changed ("H40.11 → H40.1131: …"), saved with the analysis it belongs to.</summary>
    [Id(5)] public List<string> CodeRepairs { get; set; } = [];

    /// <summary>The transcript as the speech service heard it, kept when its author edited it in review (the edit is <see cref="ExtractedText"/>).</summary>
    [Id(6)] public string? OriginalTranscript { get; set; }

    /// <summary>Takes over the output a pre-split row kept in the progress state.</summary>
    public void TakeLegacy(AnalysisState progress)
    {
        ExtractedText ??= progress.LegacyExtractedText;
        AnalysisJson ??= progress.LegacyAnalysisJson;
        References ??= progress.LegacyReferences;
        Result ??= progress.LegacyResult;
    }
}
