using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Jobs;

/// <summary>The part of a job's saved state the stage machinery reads and writes.</summary>
public interface IStagedJobState
{
    JobStage Stage { get; set; }

    int Percent { get; set; }

    List<StageEntry> History { get; }

    string? FailureMessage { get; set; }

    int Attempts { get; set; }

    /// <summary>
    /// How often the current stage was started without finishing, saved before its work begins: a document that takes
    /// its host down (a parser crash) is counted even though nothing ran to record a failure.
    /// </summary>
    int StageStarts { get; set; }
}
