using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Jobs;

/// <summary>
/// The list of stages a job went through, as the job page shows it: each stage once per run, opened when it starts and
/// closed when it ends, so a stage resumed after a crash continues its open entry instead of adding a second one.
/// </summary>
public static class StageHistory
{
    public static void Begin(List<StageEntry> history, JobStage stage, DateTimeOffset now)
    {
        if (history.LastOrDefault() is not { EndedAt: null } open || open.Stage != stage)
        {
            history.Add(new StageEntry(stage, now, null));
        }
    }

    public static void Close(List<StageEntry> history, JobStage stage, DateTimeOffset now)
    {
        var index = history.FindLastIndex(h => h.Stage == stage && h.EndedAt is null);
        if (index >= 0)
        {
            history[index] = history[index] with { EndedAt = now };
        }
    }

    /// <summary>Closes the open stage and records the outcome as a final, closed entry.</summary>
    public static void Finish(List<StageEntry> history, JobStage current, JobStage outcome, DateTimeOffset now)
    {
        Close(history, current, now);
        history.Add(new StageEntry(outcome, now, now));
    }

    /// <summary>When the latest run started (its "received" entry), for the run's duration.</summary>
    public static DateTimeOffset RunStart(IReadOnlyList<StageEntry> history) =>
        history.LastOrDefault(h => h.Stage == JobStage.Received)?.StartedAt ?? history[0].StartedAt;
}
