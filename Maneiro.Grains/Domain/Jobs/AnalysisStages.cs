using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Jobs;

/// <summary>The analysis's stage table: where a run starts, which stage follows which, and the percent shown for each.</summary>
public static class AnalysisStages
{
    public static JobStage First(InputKind kind) => kind switch
    {
        InputKind.Audio => JobStage.Transcribing,
        InputKind.Image => JobStage.Ocr,
        _ => JobStage.Extracting,
    };

    /// <summary>
    /// The stage after <paramref name="finished"/>; extraction that found no usable text goes on to OCR or transcription,
    /// and a transcript its author asked to review waits for them.
    /// </summary>
    public static JobStage Next(JobStage finished, InputKind kind, TextSource source, bool reviewTranscript = false) => finished switch
    {
        JobStage.Extracting when source is TextSource.None => kind == InputKind.Audio ? JobStage.Transcribing : JobStage.Ocr,
        JobStage.Transcribing when reviewTranscript => JobStage.Reviewing,
        JobStage.Extracting or JobStage.Ocr or JobStage.Transcribing or JobStage.Reviewing => JobStage.Analyzing,
        JobStage.Analyzing => JobStage.Referencing,
        JobStage.Referencing => JobStage.Validating,
        JobStage.Validating => JobStage.Complete,
        _ => throw new InvalidOperationException($"Stage {finished} is not an analysis stage."),
    };

    public static int PercentAt(JobStage stage) => stage switch
    {
        JobStage.Received => 0,
        JobStage.Extracting => 10,
        JobStage.Ocr or JobStage.Transcribing => 25,
        JobStage.Reviewing => 40,
        JobStage.Analyzing => 50,
        JobStage.Referencing => 80,
        JobStage.Validating => 90,
        _ => 100,
    };
}
