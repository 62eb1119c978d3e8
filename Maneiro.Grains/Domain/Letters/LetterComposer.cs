using System.Globalization;
using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

public sealed record ComposedLetter(string Subject, string Body, IReadOnlyList<string> Notices);

/// <summary>
/// Turns the model's draft into the letter text and enforces what the prompt only asks for: citations only to the
/// analysis's verified references, ICD-10 codes only from its validated codes, no URLs or PMIDs, URGENT on urgent
/// referrals, a medical-necessity section on prior authorizations. What was removed is reported as notices.
/// </summary>
public static partial class LetterComposer
{
    public static ComposedLetter Compose(LetterDraft draft, LetterKind kind, LetterLanguage language, LetterContext context)
    {
        List<string> notices = [];
        var sections = draft.Sections.ToList();
        if (kind == LetterKind.PriorAuthorization && !sections.Any(s => s.Heading.Contains(language.MedicalNecessity, StringComparison.OrdinalIgnoreCase)))
        {
            var codes = string.Join(", ", context.Codes.Select(c => $"{c.Code} ({c.Description})"));
            sections.Add(new LetterSection(language.MedicalNecessity, [codes.Length > 0 ? $"{language.MedicalNecessityFallback} {codes}." : language.MedicalNecessityFallback]));
            notices.Add("A medical-necessity section was added because the draft had none; please complete it.");
        }

        var subject = LetterBody.OneLine(draft.Subject);
        if (kind == LetterKind.UrgentReferral && !subject.StartsWith(language.Urgent, StringComparison.OrdinalIgnoreCase))
        {
            subject = $"{language.Urgent}: {subject}";
        }

        var body = LetterBody.Write(draft with { Sections = sections });
        var allowedReferences = context.References.Select(r => r.Number).ToHashSet();
        var allowedCodes = context.Codes.Select(c => c.Code.ToUpperInvariant()).ToHashSet();
        var (cleanSubject, subjectRemoved) = Sanitize(subject, allowedReferences, allowedCodes);
        var (cleanBody, bodyRemoved) = Sanitize(body, allowedReferences, allowedCodes);
        var removed = subjectRemoved + bodyRemoved;
        if (removed.Citations > 0)
        {
            notices.Add($"{removed.Citations} citation(s) not among this analysis's verified references were removed.");
        }

        if (removed.Codes > 0)
        {
            notices.Add($"{removed.Codes} ICD-10 code(s) that were not validated for this analysis were removed.");
        }

        if (removed.Links > 0)
        {
            notices.Add($"{removed.Links} link(s) or PMID(s) written by the model were removed; the reference list comes from PubMed.");
        }

        if (kind == LetterKind.PatientSummary && language.Code == "en")
        {
            var grade = ReadingLevel.FleschKincaidGrade(string.Join(' ', LetterBody.Parse(cleanBody).Select(b => b.Text)));
            notices.Add(grade > 9
                ? $"Reading level is about grade {grade.ToString("0", CultureInfo.InvariantCulture)}, above the 8th-grade target: consider shorter sentences and simpler words."
                : $"Reading level is about grade {Math.Max(1, grade).ToString("0", CultureInfo.InvariantCulture)}.");
        }

        return new ComposedLetter(cleanSubject, cleanBody, notices);
    }

    public readonly record struct Removed(int Citations, int Codes, int Links)
    {
        public static Removed operator +(Removed a, Removed b) => new(a.Citations + b.Citations, a.Codes + b.Codes, a.Links + b.Links);
    }

    /// <summary>Removes citations, codes and links the letter may not carry (applied to drafts; the clinician's own edits are left as typed).</summary>
    public static (string Text, Removed Removed) Sanitize(string text, IReadOnlySet<int> allowedReferences, IReadOnlySet<string> allowedCodes)
    {
        int citations = 0, codes = 0, links = 0;
        text = Citation().Replace(text, m =>
        {
            var numbers = NumberList().Matches(m.Groups["list"].Value).Select(n => int.Parse(n.Value, CultureInfo.InvariantCulture)).ToList();
            var kept = numbers.Where(allowedReferences.Contains).Distinct().ToList();
            citations += numbers.Count - kept.Count;
            return kept.Count == 0 ? "" : m.Groups["space"].Value + "[" + string.Join(", ", kept) + "]";
        });
        text = IcdCode().Replace(text, m =>
        {
            if (allowedCodes.Contains(m.Value.ToUpperInvariant()))
            {
                return m.Value;
            }

            codes++;
            return "";
        });
        text = Link().Replace(text, _ =>
        {
            links++;
            return "";
        });

        // Tidy what the removals leave behind: empty brackets, doubled spaces, space before punctuation.
        text = EmptyBrackets().Replace(text, "");
        text = DoubleSpace().Replace(text, " ");
        text = SpaceBeforePunctuation().Replace(text, "$1");
        return (text, new Removed(citations, codes, links));
    }

    [GeneratedRegex(@"(?<space>\s?)\[(?<list>\d+(?:\s*[,;–-]\s*\d+)*)\]")]
    private static partial Regex Citation();

    [GeneratedRegex(@"\d+")]
    private static partial Regex NumberList();

    // Only dotted codes: an undotted category like "B12" is too often an ordinary word (vitamin B12).
    [GeneratedRegex(@"\b[A-TV-Z][0-9][0-9AB]\.[0-9A-TV-Z]{1,4}\b", RegexOptions.IgnoreCase)]
    private static partial Regex IcdCode();

    [GeneratedRegex(@"https?://\S+|\bPMID:?\s*\d+|\bdoi:\s*\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Link();

    [GeneratedRegex(@"\s?\(\s*[,;]?\s*\)|\s?\[\s*\]")]
    private static partial Regex EmptyBrackets();

    [GeneratedRegex(@"[ ]{2,}")]
    private static partial Regex DoubleSpace();

    [GeneratedRegex(@" ([.,;:)])")]
    private static partial Regex SpaceBeforePunctuation();
}
