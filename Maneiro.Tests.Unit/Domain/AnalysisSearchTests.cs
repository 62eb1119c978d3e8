using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Domain;

public sealed class AnalysisSearchTests
{
    private static AnalysisProgress Analysis(JobStage stage, DateTimeOffset created, AnalysisHeadline headline) =>
        new("job", "owner", stage, 100, [], null, TextSource.Pasted, created, InputKind.Text, "auto", 0, [], headline);

    private static readonly AnalysisHeadline Glaucoma = new("John Carter", "Primary open-angle glaucoma, right eye", "Pressure above target.", ["H40.1112"]);

    [Fact]
    public void Every_word_must_match_the_patient_diagnosis_summary_or_a_code_written_with_or_without_its_dot()
    {
        var done = Analysis(JobStage.Complete, DateTimeOffset.UtcNow, Glaucoma);
        Assert.True(new AnalysisSearch("carter glaucoma", AnalysisStatusFilter.Any, null, null).Matches(done, TimeZoneInfo.Utc));
        Assert.True(new AnalysisSearch("H401112", AnalysisStatusFilter.Complete, null, null).Matches(done, TimeZoneInfo.Utc));
        Assert.False(new AnalysisSearch("carter diabetes", AnalysisStatusFilter.Any, null, null).Matches(done, TimeZoneInfo.Utc));
        Assert.False(new AnalysisSearch(null, AnalysisStatusFilter.AwaitingReview, null, null).Matches(done, TimeZoneInfo.Utc));
        Assert.True(new AnalysisSearch(null, AnalysisStatusFilter.AwaitingReview, null, null).Matches(Analysis(JobStage.Reviewing, DateTimeOffset.UtcNow, AnalysisHeadline.Empty), TimeZoneInfo.Utc));
        Assert.False(new AnalysisSearch(null, AnalysisStatusFilter.Running, null, null).Matches(Analysis(JobStage.Reviewing, DateTimeOffset.UtcNow, AnalysisHeadline.Empty), TimeZoneInfo.Utc));
    }

    [Fact]
    public void The_day_is_the_viewer_s_day()
    {
        // 01:30 UTC on the 2nd is still the 1st in São Paulo (UTC-3).
        var late = Analysis(JobStage.Complete, new DateTimeOffset(2026, 12, 2, 1, 30, 0, TimeSpan.Zero), Glaucoma);
        var saoPaulo = TimeZones.Find("America/Sao_Paulo");
        var first = new DateOnly(2026, 12, 1);
        Assert.True(new AnalysisSearch(null, AnalysisStatusFilter.Any, first, first).Matches(late, saoPaulo));
        Assert.False(new AnalysisSearch(null, AnalysisStatusFilter.Any, first, first).Matches(late, TimeZoneInfo.Utc));
        Assert.Equal("2026-12-01 22:30 (America/Sao_Paulo)", TimeZones.Format(late.CreatedAt, saoPaulo));
        Assert.Equal(first, TimeZones.Today(late.CreatedAt, saoPaulo));
        Assert.Equal(TimeZoneInfo.Utc, TimeZones.Find("Nowhere/Atlantis"));
    }
}
