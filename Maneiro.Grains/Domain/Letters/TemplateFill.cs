using System.Globalization;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>
/// Lays a draft out as its template says: the template's sections in its order under its headings, the model's text
/// where the template asks for writing and the fixed text (variables filled) where it has some. The composer then
/// checks the whole letter as it checks any draft (references, codes, links), fixed text included.
/// </summary>
public static class TemplateFill
{
    public static (LetterDraft Draft, IReadOnlyList<string> Notices) Apply(LetterDraft draft, TemplateUse template, IReadOnlyDictionary<string, string> values)
    {
        var written = draft.Sections.ToList();
        var used = new bool[written.Count];
        List<LetterSection> sections = [];
        List<string> notices = [];
        foreach (var section in template.Sections)
        {
            if (section.FixedText.Length > 0)
            {
                sections.Add(new LetterSection(section.Heading, Paragraphs(TemplateRules.Fill(section.FixedText, values))));
                continue;
            }

            // The model's section under the same heading, else the next one it wrote that is not yet placed.
            var index = Enumerable.Range(0, written.Count).FirstOrDefault(i => !used[i] && string.Equals(written[i].Heading.Trim(), section.Heading, StringComparison.OrdinalIgnoreCase), -1);
            if (index < 0)
            {
                index = Array.IndexOf(used, false);
            }

            if (index < 0)
            {
                notices.Add($"The draft had nothing for \"{section.Heading}\"; write it before sending.");
                continue;
            }

            used[index] = true;
            sections.Add(new LetterSection(section.Heading, written[index].Paragraphs));
        }

        return (draft with { Sections = sections }, notices);
    }

    /// <summary>What the variables stand for in one letter.</summary>
    public static IReadOnlyDictionary<string, string> Values(LetterRequest request, LetterContext context, string clinician, DateOnly today) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["patient"] = context.PatientName,
        ["recipient"] = request.Recipient.Name,
        ["date"] = today.ToString("d MMMM yyyy", Culture(request.Language)),
        ["clinician"] = clinician,
        ["diagnoses"] = string.Join("; ", context.Diagnoses),
        ["plan"] = string.Join("; ", context.Plan),
        ["references"] = string.Join("; ", context.References.Select(r => $"[{r.Number}] {r.Title}")),
    };

    /// <summary>How the model is told to follow the template (fixed sections are written by us, not by it).</summary>
    public static string Guidance(TemplateUse template)
    {
        var lines = template.Sections.Select((s, i) => s.FixedText.Length > 0
            ? $"{i + 1}. \"{s.Heading}\": fixed text added by the system; write nothing for it."
            : $"{i + 1}. \"{s.Heading}\": {s.Instructions}");
        return "Follow the clinician's template: write these sections, in this order, with exactly these headings, and no others:\n" + string.Join('\n', lines);
    }

    private static List<string> Paragraphs(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n").Select(p => p.Trim()).Where(p => p.Length > 0).ToList();

    private static CultureInfo Culture(string language)
    {
        try
        {
            return CultureInfo.GetCultureInfo(language);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }
}
