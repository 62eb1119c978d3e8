namespace Maneiro.Grains.Domain.Jobs;

/// <summary>Section <c>Jobs</c>: how staged jobs treat a stage that never finishes.</summary>
public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>
    /// A stage started this many times without finishing (each start saved before its work, so a start that took the
    /// host down counts) is not started again: the job fails. Starts stopped by a graceful deactivation do not count.
    /// </summary>
    public int MaxStageStarts { get; set; } = 2;
}
