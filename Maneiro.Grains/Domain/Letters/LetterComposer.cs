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
            var codes = string.Join(", ", LetterCodes.Billable(context).Select(c => $"{c.Code} ({c.Description})"));
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
        var (cleanSubject, subjectRemoved) = Sanitize(subject, allowedReferences);
        var (cleanBody, bodyRemoved) = Sanitize(body, allowedReferences);
        var removed = subjectRemoved + bodyRemoved;
        (cleanSubject, var subjectCodes) = LetterCodes.Scrub(cleanSubject, context);
        (cleanBody, var bodyCodes) = LetterCodes.Scrub(cleanBody, context);
        notices.AddRange(subjectCodes.Concat(bodyCodes).DistinctBy(p => p.Code).Select(p => p.Notice));
        if (removed.Citations > 0)
        {
            notices.Add($"{removed.Citations} citation(s) not among this analysis's verified references were removed.");
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

    /// <summary>The reference numbers a text cites, in order of first citation.</summary>
    public static IReadOnlyList<int> Cited(string text) =>
        Citation().Matches(text).SelectMany(m => NumberList().Matches(m.Groups["list"].Value)).Select(n => int.Parse(n.Value, CultureInfo.InvariantCulture)).Distinct().ToList();

    public readonly record struct Removed(int Citations, int Links)
    {
        public static Removed operator +(Removed a, Removed b) => new(a.Citations + b.Citations, a.Links + b.Links);
    }

    /// <summary>Removes citations and links the letter may not carry (applied to drafts; codes are <see cref="LetterCodes"/>' to check).</summary>
    public static (string Text, Removed Removed) Sanitize(string text, IReadOnlySet<int> allowedReferences)
    {
        int citations = 0, links = 0;
        text = Citation().Replace(text, m =>
        {
            var numbers = NumberList().Matches(m.Groups["list"].Value).Select(n => int.Parse(n.Value, CultureInfo.InvariantCulture)).ToList();
            var kept = numbers.Where(allowedReferences.Contains).Distinct().ToList();
            citations += numbers.Count - kept.Count;
            return kept.Count == 0 ? "" : m.Groups["space"].Value + "[" + string.Join(", ", kept) + "]";
        });
        text = Link().Replace(text, _ =>
        {
            links++;
            return "";
        });

        return (Tidy(text), new Removed(citations, links));
    }

    /// <summary>Tidies what removals leave behind: empty brackets, doubled spaces, space before punctuation.</summary>
    internal static string Tidy(string text)
    {
        text = EmptyBrackets().Replace(text, "");
        text = DoubleSpace().Replace(text, " ");
        return SpaceBeforePunctuation().Replace(text, "$1");
    }

    [GeneratedRegex(@"(?<space>\s?)\[(?<list>\d+(?:\s*[,;–-]\s*\d+)*)\]")]
    private static partial Regex Citation();

    [GeneratedRegex(@"\d+")]
    private static partial Regex NumberList();

    [GeneratedRegex(@"https?://\S+|\bPMID:?\s*\d+|\bdoi:\s*\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Link();

    [GeneratedRegex(@"\s?\(\s*[,;]?\s*\)|\s?\[\s*\]")]
    private static partial Regex EmptyBrackets();

    [GeneratedRegex(@"[ ]{2,}")]
    private static partial Regex DoubleSpace();

    [GeneratedRegex(@" ([.,;:)])")]
    private static partial Regex SpaceBeforePunctuation();
}
