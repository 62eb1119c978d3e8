using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>
/// Takes every patient detail out of a template proposed from an example letter, in our code and whatever the model
/// wrote: the patient's name (learnt from the example's labels and salutations, then searched for everywhere, each
/// part of it too) becomes <c>{{patient}}</c>, the addressee <c>{{recipient}}</c>, a letter's "Date:" <c>{{date}}</c>;
/// other dates (a date of birth), record and member numbers, phone and fax numbers, e-mail addresses, street addresses
/// and any run of five or more digits are removed. The clinician reviews the result before saving it.
/// </summary>
public static partial class PhiScrubber
{
    public const string Removed = "[removed]";

    private static readonly HashSet<string> NotNames = new(StringComparer.OrdinalIgnoreCase) { "patient", "doctor", "dear", "the", "and", "colleague", "sir", "madam", "team", "re" };

    public sealed record Result(TemplateContent Content, int Replacements);

    public static Result Scrub(TemplateContent proposal, string example)
    {
        var everything = example + "\n" + string.Join("\n", proposal.Sections.SelectMany(s => new[] { s.Heading, s.Instructions, s.FixedText }).Append(proposal.Name));
        var patients = Names(PatientLabel(), everything).Concat(Names(Honorific(), everything)).ToList();
        var recipients = Names(Salutation(), everything).Except(patients, StringComparer.OrdinalIgnoreCase).ToList();
        var count = 0;

        string Clean(string text)
        {
            text = Put(EmailAddress(), text, Removed);
            text = Put(StreetAddress(), text, Removed);
            text = Put(PhoneNumber(), text, Removed);
            text = Swap(RecordNumber(), text, m => m.Groups["label"].Value + " " + Removed);
            text = Swap(LabelledLetterDate(), text, m => m.Groups["label"].Value + " {{date}}");
            text = Put(AnyDate(), text, Removed);
            text = Put(LongNumber(), text, Removed);
            foreach (var (names, variable) in new[] { (patients, "{{patient}}"), (recipients, "{{recipient}}") })
            {
                // Whole names first, then each part alone ("Mrs Gonzalez", "Maria").
                foreach (var name in names.OrderByDescending(n => n.Length))
                {
                    text = Put(new Regex($@"\b{Regex.Escape(name)}\b", RegexOptions.IgnoreCase), text, variable);
                }

                foreach (var part in names.SelectMany(n => n.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length >= 2 && !NotNames.Contains(p)).Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    text = Put(new Regex($@"\b{Regex.Escape(part)}\b", RegexOptions.IgnoreCase), text, variable);
                }
            }

            return text;
        }

        string Swap(Regex pattern, string text, MatchEvaluator evaluator) => pattern.Replace(text, m =>
        {
            count++;
            return evaluator(m);
        });

        string Put(Regex pattern, string text, string value) => Swap(pattern, text, _ => value);

        var content = proposal with
        {
            Name = Clean(proposal.Name),
            Sections = proposal.Sections.Select(s => new TemplateSection(Clean(s.Heading), Clean(s.Instructions), Clean(s.FixedText))).ToList(),
        };
        return new Result(content, count);
    }

    /// <summary>Names found by a pattern with a "name" group: the whole name, titles and stop words dropped.</summary>
    private static IEnumerable<string> Names(Regex pattern, string text) =>
        pattern.Matches(text)
            .Select(m => string.Join(' ', m.Groups["name"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !NotNames.Contains(w))))
            .Where(n => n.Length >= 2)
            .Distinct(StringComparer.OrdinalIgnoreCase);

    private const string Name = @"(?<name>[A-Z][a-z'’-]+(?:[ ]+[A-Z][a-z'’-]+){0,3})";

    [GeneratedRegex(@"\b(?:Patient(?:'s)?(?:[ ]+name)?|Name|Re|RE|Regarding|Subject|Pt)[ ]*[:\-][ ]*" + Name)]
    private static partial Regex PatientLabel();

    [GeneratedRegex(@"\b(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?[ ]+" + Name)]
    private static partial Regex Honorific();

    [GeneratedRegex(@"\bDear[ ]+(?:Dr|Doctor|Prof|Professor)?\.?[ ]*" + Name)]
    private static partial Regex Salutation();

    [GeneratedRegex(@"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"\b\d{1,5}[ ]+(?:[A-Z][a-z]+[ ]+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Rua|Calle|Avenida)\b\.?(?:,?[ ]*(?:Apt|Suite|Unit)\.?[ ]*\w+)?")]
    private static partial Regex StreetAddress();

    [GeneratedRegex(@"(?:\+?\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"(?<label>\b(?:MRN|Medical record(?: number)?|Record(?: number| no\.?)?|Chart(?: number| no\.?)?|Account(?: number| no\.?)?|Patient ID|Member ID|Policy(?: number)?|NHS(?: number)?|SSN|ID))[ ]*(?:#|:|no\.?|number)?[ ]*[A-Z0-9][A-Z0-9-]{3,}\b", RegexOptions.IgnoreCase)]
    private static partial Regex RecordNumber();

    [GeneratedRegex(@"(?<label>\bDate[ ]*:)[ ]*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[ ]+[A-Z][a-z]+\.?,?[ ]+\d{4}|[A-Z][a-z]+\.?[ ]+\d{1,2},?[ ]+\d{4})")]
    private static partial Regex LabelledLetterDate();

    [GeneratedRegex(@"\b(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[ ]+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?[ ]+\d{4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[ ]+\d{1,2},?[ ]+\d{4})\b")]
    private static partial Regex AnyDate();

    [GeneratedRegex(@"\b\d(?:[\d-]{3,})\d\b")]
    private static partial Regex LongNumber();
}
