using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain;

[GenerateSerializer]
public enum AnalysisStatusFilter
{
    Any = 0,
    Running = 1,
    AwaitingReview = 2,
    Complete = 3,
    FailedOrCanceled = 4,
}

/// <summary>
/// Finds analyses in a history by what their rows show (patient, primary diagnosis, summary line, codes), status and
/// the day they started in the viewer's time zone: from the small progress state, never the results.
/// </summary>
public sealed record AnalysisSearch(string? Text, AnalysisStatusFilter Status, DateOnly? From, DateOnly? To)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(Text) && Status == AnalysisStatusFilter.Any && From is null && To is null;

    public bool Matches(AnalysisProgress analysis, TimeZoneInfo zone)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(analysis.CreatedAt, zone).DateTime);
        return (From is null || day >= From) && (To is null || day <= To) && StatusMatches(analysis) && TextMatches(analysis.Headline);
    }

    private bool StatusMatches(AnalysisProgress analysis) => Status switch
    {
        AnalysisStatusFilter.Running => !analysis.IsFinished && !JobStages.IsWaiting(analysis.Stage),
        AnalysisStatusFilter.AwaitingReview => JobStages.IsWaiting(analysis.Stage),
        AnalysisStatusFilter.Complete => analysis.Stage == JobStage.Complete,
        AnalysisStatusFilter.FailedOrCanceled => analysis.Stage is JobStage.Failed or JobStage.Canceled,
        _ => true,
    };

    /// <summary>Every word of the query is in the patient, the diagnosis, the summary line or a code (dots ignored in codes).</summary>
    private bool TextMatches(AnalysisHeadline headline)
    {
        if (string.IsNullOrWhiteSpace(Text))
        {
            return true;
        }

        var haystack = string.Join(' ', new[] { headline.PatientName, headline.PrimaryDiagnosis, headline.SummaryLine }.Concat(headline.Codes ?? []));
        var codes = string.Join(' ', (headline.Codes ?? []).Select(c => c.Replace(".", "", StringComparison.Ordinal)));
        return Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .All(word => haystack.Contains(word, StringComparison.OrdinalIgnoreCase) || codes.Contains(word.Replace(".", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
    }
}
