using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Jobs;

public sealed class StageHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_stage_resumed_after_a_crash_continues_its_open_entry()
    {
        var history = new List<StageEntry> { new(JobStage.Received, T0, T0) };
        StageHistory.Begin(history, JobStage.Analyzing, T0.AddSeconds(1));
        StageHistory.Begin(history, JobStage.Analyzing, T0.AddSeconds(30));

        var analyzing = Assert.Single(history, h => h.Stage == JobStage.Analyzing);
        Assert.Equal(T0.AddSeconds(1), analyzing.StartedAt);
        Assert.Null(analyzing.EndedAt);
    }

    [Fact]
    public void Finishing_closes_the_open_stage_and_adds_the_outcome_closed()
    {
        var history = new List<StageEntry> { new(JobStage.Received, T0, T0) };
        StageHistory.Begin(history, JobStage.Extracting, T0.AddSeconds(1));
        StageHistory.Finish(history, JobStage.Extracting, JobStage.Failed, T0.AddSeconds(2));

        Assert.Equal(T0.AddSeconds(2), history.Single(h => h.Stage == JobStage.Extracting).EndedAt);
        Assert.Equal(new StageEntry(JobStage.Failed, T0.AddSeconds(2), T0.AddSeconds(2)), history[^1]);
    }

    [Fact]
    public void A_run_starts_at_its_latest_received_entry()
    {
        var history = new List<StageEntry>
        {
            new(JobStage.Received, T0, T0),
            new(JobStage.Complete, T0.AddMinutes(1), T0.AddMinutes(1)),
            new(JobStage.Received, T0.AddHours(1), T0.AddHours(1)),
        };

        Assert.Equal(T0.AddHours(1), StageHistory.RunStart(history));
    }
}
