using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Inbox;

/// <summary>A clinician the model may suggest: the model sees the e-mail, the item stores the id.</summary>
public sealed record TriageClinician(string UserId, string Email);

/// <summary>
/// Turns the model's triage into an item's triage without trusting it: a field whose quote is not on the page is
/// emptied (triage never invents), a fact without a found quote is dropped, the suggested clinician must be one of the
/// clinic's clinicians, and the clinic's first matching urgency rule replaces the model's urgency, saying why.
/// </summary>
public static class IntakeTriageRules
{
    private const int MaxTasks = 12;
    private const int MaxFacts = 20;
    private const int MaxFieldLength = 300;

    public static IntakeTriage Apply(TriageDocument document, string pageText, IReadOnlyList<TriageClinician> clinicians, InboxSettings settings)
    {
        var dropped = 0;
        QuotedValue Checked(TriageDocument.QuotedDto? field)
        {
            if (field is null || string.IsNullOrWhiteSpace(field.Value))
            {
                return QuotedValue.Empty;
            }

            if (!EvidenceLocator.Found(field.Quote, pageText))
            {
                dropped++;
                return QuotedValue.Empty;
            }

            return new QuotedValue(Clip(field.Value), Clip(field.Quote));
        }

        var facts = new List<IntakeFact>();
        foreach (var fact in document.Facts.Where(f => !string.IsNullOrWhiteSpace(f.Fact)))
        {
            if (EvidenceLocator.Found(fact.Quote, pageText) && facts.Count < MaxFacts)
            {
                facts.Add(new IntakeFact(Clip(fact.Fact), Clip(fact.Quote)));
            }
            else
            {
                dropped++;
            }
        }

        var kind = TriageDocument.KindNamed(document.Kind) ?? IntakeKind.Other;
        var modelUrgency = TriageDocument.UrgencyNamed(document.Urgency) ?? IntakeUrgency.Routine;
        var (urgency, reason) = Urgency(kind, modelUrgency, Clip(document.UrgencyReason), pageText, settings);
        var suggested = clinicians.FirstOrDefault(c => c.Email.Equals(document.SuggestedClinician.Trim(), StringComparison.OrdinalIgnoreCase))?.UserId;
        return new IntakeTriage(
            kind,
            urgency,
            modelUrgency,
            reason,
            Checked(document.SenderProvider),
            Checked(document.SenderClinic),
            Checked(document.SenderFax),
            Checked(document.PatientName),
            Checked(document.PatientDateOfBirth),
            facts,
            suggested,
            Tasks(document.FrontDeskActions),
            Tasks(document.ClinicianActions),
            dropped);
    }

    /// <summary>The clinic's first matching rule wins over the model's guess; the reason says which one did.</summary>
    public static (IntakeUrgency Urgency, string Reason) Urgency(IntakeKind kind, IntakeUrgency modelUrgency, string modelReason, string pageText, InboxSettings settings)
    {
        foreach (var rule in settings.Rules)
        {
            if (Matches(rule, kind, pageText))
            {
                return (rule.Urgency, $"Set to {rule.Urgency.ToString().ToLowerInvariant()} by the clinic's rule: {Describe(rule)}.");
            }
        }

        var said = modelReason.Length > 0 ? ": " + modelReason : ".";
        return (modelUrgency, $"The model's reading{said}");
    }

    public static bool Matches(InboxUrgencyRule rule, IntakeKind kind, string pageText) =>
        (rule.Kind is null || rule.Kind == kind)
        && (rule.Keyword.Length == 0 || pageText.Contains(rule.Keyword, StringComparison.OrdinalIgnoreCase));

    public static string Describe(InboxUrgencyRule rule)
    {
        var parts = new List<string>();
        if (rule.Kind is { } kind)
        {
            parts.Add("kind is " + KindLabel(kind));
        }

        if (rule.Keyword.Length > 0)
        {
            parts.Add($"the document mentions \u201C{rule.Keyword}\u201D");
        }

        return string.Join(" and ", parts);
    }

    public static string KindLabel(IntakeKind kind) => TriageDocument.NameOf(kind).Replace('_', ' ');

    private static List<IntakeTask> Tasks(IEnumerable<string> texts) =>
        texts.Where(t => !string.IsNullOrWhiteSpace(t)).Take(MaxTasks).Select(t => new IntakeTask(Clip(t), false, null, null)).ToList();

    private static string Clip(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= MaxFieldLength ? trimmed : trimmed[..MaxFieldLength];
    }
}
