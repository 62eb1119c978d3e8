using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>An ICD-10 code taken out of a letter, and why.</summary>
public sealed record CodeProblem(string Code, string Reason)
{
    public const string NoticePrefix = "Check before sending: ICD-10 code ";

    /// <summary>The "Check before sending" line for it.</summary>
    public string Notice => $"{NoticePrefix}{Code} was removed because {Reason}.";

    public static bool IsNotice(string notice) => notice.StartsWith(NoticePrefix, StringComparison.Ordinal);
}

/// <summary>
/// The one rule for codes in letters: only codes of the analysis that are valid and billable in the loaded table
/// may appear, in the body, the subject or the ICD-10 table. Any other code, in any form (dotted, undotted like
/// H4099ZZ, U-codes), is removed and reported with its reason. Applied to the model's draft, to every saved edit and
/// at export, so letters drafted before the rule are held to it too.
/// </summary>
public static partial class LetterCodes
{
    /// <summary>The codes a letter may carry: the analysis's valid, billable ones.</summary>
    public static IReadOnlyList<CodeEntry> Billable(LetterContext? context) =>
        context?.Codes.Where(c => c.Check == CodeCheck.Valid).ToList() ?? [];

    public static (string Text, IReadOnlyList<CodeProblem> Removed) Scrub(string text, LetterContext? context)
    {
        var allowed = Billable(context).Select(c => Icd10Catalog.Normalize(c.Code)).ToHashSet(StringComparer.Ordinal);
        List<CodeProblem> removed = [];
        var scrubbed = Code().Replace(text, m =>
        {
            var code = Icd10Catalog.Normalize(m.Value);
            if (allowed.Contains(code))
            {
                return m.Value;
            }

            if (removed.All(r => r.Code != code))
            {
                removed.Add(new CodeProblem(code, ReasonFor(code, context)));
            }

            return "";
        });
        return removed.Count == 0 ? (text, removed) : (LetterComposer.Tidy(scrubbed), removed);
    }

    /// <summary>
    /// The code items a letter's export must have acknowledged: codes removed from its drafts or edits (its notices)
    /// and codes its current text still holds that the rule does not allow. Informational notices never block.
    /// </summary>
    public static IReadOnlyList<string> OpenItems(IEnumerable<string> notices, string currentText, LetterContext? context) =>
        notices.Where(CodeProblem.IsNotice).Select(n => n[CodeProblem.NoticePrefix.Length..].Split(' ', 2)[0])
            .Concat(Problems(currentText, context).Select(p => p.Code))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Problems of a text without changing it (a letter opened: what export will remove).</summary>
    public static IReadOnlyList<CodeProblem> Problems(string text, LetterContext? context) => Scrub(text, context).Removed;

    /// <summary>The codes a text writes, in order of first use (as written, upper-cased).</summary>
    public static IReadOnlyList<string> Used(string text) => Code().Matches(text).Select(m => m.Value.ToUpperInvariant()).Distinct().ToList();

    private static string ReasonFor(string code, LetterContext? context)
    {
        var entry = context?.Codes.FirstOrDefault(c => Icd10Catalog.Normalize(c.Code) == code);
        return entry?.Check switch
        {
            CodeCheck.NotBillable => "it is a category, not a billable code (it needs more characters)",
            CodeCheck.Verify => "it is not in the code table this analysis was checked against (it may be newer): verify it",
            CodeCheck.Invalid => "it is not a valid ICD-10-CM code",
            CodeCheck.Unverified => "it was never checked against an ICD-10-CM table",
            _ => "it is not one of this analysis's checked, billable codes",
        };
    }

    // Dotted codes of every shape (U07.1, QA0.0, H40.99ZZ), and undotted ones of four to seven characters whose
    // second and third are digits (H4099ZZ, U071, E119): "B12", "T1DM" or "G6PD" are words, not codes.
    [GeneratedRegex(@"\b[A-Z][0-9A-Z][0-9A-Z]\.[0-9A-Z]{1,4}\b|\b[A-Z][0-9]{2}[0-9A-Z]{1,4}\b", RegexOptions.IgnoreCase)]
    private static partial Regex Code();
}
