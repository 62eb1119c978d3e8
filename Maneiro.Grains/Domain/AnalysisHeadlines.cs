using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain;

/// <summary>What a history row shows of a result (the patient, the primary diagnosis, the summary's first sentence) and its codes, to search by.</summary>
public static class AnalysisHeadlines
{
    public const int MaxSummaryLine = 140;

    public static AnalysisHeadline Of(AnalysisResult result)
    {
        var primaryCode = result.Icd10Codes.FirstOrDefault(c => c.Primary)?.Code;
        var primary = result.Diagnoses.FirstOrDefault(d => primaryCode is not null && d.Icd10Code == primaryCode) ?? (result.Diagnoses.Count > 0 ? result.Diagnoses[0] : null);
        return new AnalysisHeadline(result.PatientName.Trim(), primary?.Title.Trim() ?? "", SummaryLine(result.Summary), result.Icd10Codes.Select(c => c.Code).Distinct().ToList());
    }

    public static string SummaryLine(string summary)
    {
        var text = string.Join(' ', summary.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        var sentence = end > 0 ? text[..(end + 1)] : text;
        return sentence.Length <= MaxSummaryLine ? sentence : sentence[..(MaxSummaryLine - 1)].TrimEnd() + "…";
    }
}
