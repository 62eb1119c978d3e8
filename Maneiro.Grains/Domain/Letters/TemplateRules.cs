using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>What a letter template may contain: its limits and the variables its fixed text may use.</summary>
public static partial class TemplateRules
{
    public const int MaxSections = 12;
    public const int MaxName = 100;
    public const int MaxHeading = 120;
    public const int MaxInstructions = 1_000;
    public const int MaxFixedText = 4_000;

    /// <summary>The variables, as written in a template, and what each becomes.</summary>
    public static IReadOnlyList<(string Name, string Meaning)> Variables { get; } =
    [
        ("patient", "the patient's name"),
        ("recipient", "the recipient's name"),
        ("date", "today's date"),
        ("clinician", "the signing clinician"),
        ("diagnoses", "the diagnoses, with their checked codes"),
        ("plan", "the plan"),
        ("references", "the verified references"),
    ];

    /// <summary>The template tidied (outer whitespace trimmed, empty sections dropped) and why it cannot be saved, if it cannot.</summary>
    public static (TemplateContent Content, string? Problem) Check(TemplateContent content)
    {
        var sections = content.Sections
            .Select(s => new TemplateSection((s.Heading ?? "").Trim(), (s.Instructions ?? "").Trim(), (s.FixedText ?? "").Trim()))
            .Where(s => s.Heading.Length > 0 || s.Instructions.Length > 0 || s.FixedText.Length > 0)
            .ToList();
        var tidy = content with { Name = (content.Name ?? "").Trim(), Sections = sections };
        string? problem = null;
        if (tidy.Name.Length is 0 or > MaxName)
        {
            problem = $"Name the template (at most {MaxName} characters).";
        }
        else if (!Enum.IsDefined(tidy.Kind))
        {
            problem = "Choose the kind of letter the template is for.";
        }
        else if (!LetterLanguage.IsSupported(tidy.Language))
        {
            problem = "Choose one of the listed languages.";
        }
        else if (sections.Count is 0 or > MaxSections)
        {
            problem = $"A template has between 1 and {MaxSections} sections.";
        }
        else if (sections.FirstOrDefault(s => s.Instructions.Length == 0 && s.FixedText.Length == 0) is { } empty)
        {
            problem = $"Section \"{empty.Heading}\" needs instructions or fixed text.";
        }
        else if (sections.Any(s => s.Heading.Length > MaxHeading || s.Instructions.Length > MaxInstructions || s.FixedText.Length > MaxFixedText))
        {
            problem = $"Headings are limited to {MaxHeading} characters, instructions to {MaxInstructions:N0} and fixed text to {MaxFixedText:N0}.";
        }
        else if (sections.SelectMany(s => Placeholders(s.FixedText + " " + s.Instructions)).FirstOrDefault(v => Variables.All(k => k.Name != v)) is { } unknown)
        {
            problem = $"{{{{{unknown}}}}} is not a variable. Use {string.Join(", ", Variables.Select(v => "{{" + v.Name + "}}"))}.";
        }

        return (tidy, problem);
    }

    /// <summary>The variable names a text uses.</summary>
    public static IEnumerable<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant());

    /// <summary>Fills a text's variables from <paramref name="values"/> (unknown ones are left as written).</summary>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value.ToLowerInvariant(), out var value) ? value : m.Value);

    [GeneratedRegex(@"\{\{\s*([A-Za-z_]+)\s*\}\}")]
    private static partial Regex Placeholder();
}

/// <summary>Limits on an example letter a template is made from.</summary>
public static class TemplateExamples
{
    public const int MaxCharacters = 20_000;
}
