using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

public static class LetterContextFactory
{
    /// <summary>The context of a completed analysis: its verified references and its codes with their checks (only the valid, billable ones may enter the letter; the others explain what was removed).</summary>
    public static LetterContext? From(string specialty, AnalysisOutput analysis)
    {
        if (analysis.Result is not { } r)
        {
            return null;
        }

        return new LetterContext(
            r.PatientName,
            specialty,
            r.Summary,
            r.PatientSummary,
            r.Diagnoses.Select(d => string.IsNullOrWhiteSpace(d.Laterality) || d.Laterality is "not applicable" or "unspecified" ? d.Title : $"{d.Title} ({d.Laterality})").ToList(),
            r.Plan.Select(p => p.Bullets.Count > 0 ? $"{p.Title}: {string.Join("; ", p.Bullets)}" : p.Title).ToList(),
            r.Icd10Codes,
            r.References ?? [],
            r.CodeTable);
    }
}
