using System.Text;
using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain;

/// <summary>
/// Plain text that pastes cleanly into an EHR's text box: no markdown, each paragraph one line (the box wraps it),
/// blank lines between paragraphs, numbered items, and codes as "H40.1131 – description" (only codes that passed the
/// checks; others are named as needing verification).
/// </summary>
public static class EhrText
{
    public static string Summary(AnalysisResult result) => OneParagraph(result.Summary);

    public static string PatientSummary(AnalysisResult result) => OneParagraph(result.PatientSummary);

    public static string Assessment(AnalysisResult result)
    {
        var text = new StringBuilder();
        var number = 0;
        foreach (var diagnosis in result.Diagnoses)
        {
            text.Append(++number).Append(") ").Append(OneParagraph(diagnosis.Title));
            if (!string.IsNullOrWhiteSpace(diagnosis.Laterality) && diagnosis.Laterality is not ("none" or "not applicable" or "n/a"))
            {
                text.Append(", ").Append(diagnosis.Laterality.Trim());
            }

            text.Append('\n');
            var code = result.Icd10Codes.FirstOrDefault(c => c.Code == diagnosis.Icd10Code);
            if (code is { Check: CodeCheck.Valid })
            {
                text.Append("ICD-10-CM: ").Append(code.Code).Append(" – ").Append(OneParagraph(code.OfficialDescription ?? code.Description)).Append('\n');
            }
            else if (diagnosis.Icd10Code.Length > 0)
            {
                text.Append("ICD-10-CM: ").Append(diagnosis.Icd10Code).Append(" (not verified as billable – check before use)\n");
            }

            foreach (var bullet in diagnosis.Bullets)
            {
                text.Append(OneParagraph(bullet)).Append('\n');
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd();
    }

    public static string Plan(AnalysisResult result)
    {
        var text = new StringBuilder();
        var number = 0;
        foreach (var item in result.Plan)
        {
            text.Append(++number).Append(") ").Append(OneParagraph(item.Title)).Append('\n');
            foreach (var bullet in item.Bullets)
            {
                text.Append(OneParagraph(bullet)).Append('\n');
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A letter's subject and body: headings as lines of their own, paragraphs as single lines.</summary>
    public static string Letter(string subject, string body) =>
        string.Join("\n\n", new[] { OneParagraph(subject) }.Concat(LetterBody.Parse(body).Select(b => OneParagraph(b.Text))).Where(p => p.Length > 0));

    /// <summary>One paragraph as one line: line breaks and runs of spaces become single spaces; markdown marks go.</summary>
    public static string OneParagraph(string text) =>
        string.Join(' ', text.Replace("**", "", StringComparison.Ordinal).Replace("__", "", StringComparison.Ordinal).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimStart('#', ' ');
}
