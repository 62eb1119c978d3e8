using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>The six kinds of letter as templates: what a letter of each kind is drafted as, and what a clinic copies to make its own.</summary>
public static class BuiltInTemplates
{
    public const string IdPrefix = "builtin-";

    public static IReadOnlyList<TemplateContent> All { get; } = LetterKinds.All.Select(For).ToList();

    public static string IdOf(LetterKind kind) => IdPrefix + kind.ToString().ToLowerInvariant();

    public static TemplateContent? ById(string id) => All.FirstOrDefault(t => IdOf(t.Kind) == id);

    public static TemplateContent For(LetterKind kind) => new(LetterKinds.DisplayName(kind), kind, "en", kind switch
    {
        LetterKind.UrgentReferral =>
        [
            new("Why this is urgent", "One or two sentences: the red flags and why the patient must be seen urgently.", ""),
            new("History and findings", "The relevant history and findings, briefly.", ""),
            new("Request", "What is asked of the recipient, and how soon.", ""),
        ],
        LetterKind.CoManagement =>
        [
            new("Shared care", "What each clinician is responsible for.", ""),
            new("Monitoring", "The monitoring schedule and targets.", ""),
            new("When to send the patient back", "The findings that should bring the patient back.", ""),
        ],
        LetterKind.SecondOpinion =>
        [
            new("Clinical question", "The question the second opinion should answer.", ""),
            new("Findings so far", "Findings and working diagnoses.", ""),
            new("Options under consideration", "The options being weighed.", ""),
        ],
        LetterKind.PatientSummary =>
        [
            new("What we found", "In plain words: what the visit found.", ""),
            new("What happens next", "The next steps and when.", ""),
            new("When to get help", "The symptoms that need a call or a visit sooner.", ""),
        ],
        LetterKind.PriorAuthorization =>
        [
            new("Requested service", "The service or treatment requested from the plan.", ""),
            new("Diagnoses", "The diagnoses with their codes.", ""),
            new("Medical necessity", "Why the service is medically necessary for this patient, and what happens without it.", ""),
        ],
        _ =>
        [
            new("Reason for referral", "Two sentences on the reason for referral.", ""),
            new("History and findings", "The relevant history and findings.", ""),
            new("Working diagnoses", "The working diagnoses with their codes.", ""),
            new("Request", "What is asked of the recipient.", ""),
        ],
    });
}
