using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>The letter options offered, their names, and which purposes fit which kind of letter.</summary>
public static class LetterChoices
{
    public const int MaxDenialReason = 2_000;

    public static IReadOnlyList<LetterTone> Tones { get; } = Enum.GetValues<LetterTone>();

    public static IReadOnlyList<LetterDetail> Details { get; } = Enum.GetValues<LetterDetail>();

    public static string Name(LetterTone tone) => tone switch
    {
        LetterTone.Warm => "Warm and reassuring",
        LetterTone.Simple => "Simple and clear",
        _ => "Professional",
    };

    public static string Name(LetterDetail detail) => detail switch
    {
        LetterDetail.Brief => "Brief",
        LetterDetail.Detailed => "Detailed",
        _ => "Standard",
    };

    public static string Name(LetterPurpose purpose) => purpose switch
    {
        LetterPurpose.PriorAuthorization => "Prior authorization",
        LetterPurpose.MedicalNecessity => "Letter of medical necessity",
        LetterPurpose.DenialAppeal => "Appeal of a denial",
        LetterPurpose.AppointmentConfirmation => "Appointment confirmation",
        LetterPurpose.ResultsNormal => "Results: normal",
        LetterPurpose.ResultsNeedFollowUp => "Results: need follow-up",
        _ => "As the kind says",
    };

    /// <summary>The purposes a kind of letter may have (the first is what it means without a choice).</summary>
    public static IReadOnlyList<LetterPurpose> PurposesOf(LetterKind kind) => kind switch
    {
        LetterKind.PriorAuthorization => [LetterPurpose.PriorAuthorization, LetterPurpose.MedicalNecessity, LetterPurpose.DenialAppeal],
        LetterKind.PatientSummary => [LetterPurpose.Default, LetterPurpose.AppointmentConfirmation, LetterPurpose.ResultsNormal, LetterPurpose.ResultsNeedFollowUp],
        _ => [LetterPurpose.Default],
    };

    /// <summary>The options as they will be drafted (an insurance letter's default purpose named), or why they cannot be.</summary>
    public static (LetterOptions? Options, string? Problem) Check(LetterKind kind, LetterTone tone, LetterDetail detail, LetterPurpose purpose, string? denialReason)
    {
        if (!Enum.IsDefined(tone) || !Enum.IsDefined(detail) || !Enum.IsDefined(purpose))
        {
            return (null, "Choose a tone, a level of detail and a purpose from the lists.");
        }

        var purposes = PurposesOf(kind);
        if (purpose == LetterPurpose.Default)
        {
            purpose = purposes[0];
        }

        if (!purposes.Contains(purpose))
        {
            return (null, $"A {LetterKinds.DisplayName(kind).ToLowerInvariant()} cannot be a \"{Name(purpose).ToLowerInvariant()}\" letter.");
        }

        var reason = string.IsNullOrWhiteSpace(denialReason) || purpose != LetterPurpose.DenialAppeal ? null : denialReason.Trim();
        return reason is { Length: > MaxDenialReason }
            ? (null, $"The denial reason is limited to {MaxDenialReason:N0} characters.")
            : (new LetterOptions(tone, detail, purpose, reason), null);
    }

    /// <summary>How the options read in the letter's record: "Warm and reassuring · Brief · Appeal of a denial".</summary>
    public static string Describe(LetterOptions options) =>
        string.Join(" · ", new[] { Name(options.Tone), Name(options.Detail) }.Concat(options.Purpose == LetterPurpose.Default ? [] : [Name(options.Purpose)]));

    /// <summary>
    /// The reply to an inbox item of insurance correspondence: an appeal quoting the insurer's own words when the triage
    /// quoted a fact about a denial, otherwise a prior-authorization letter.
    /// </summary>
    public static LetterOptions ForInsuranceReply(IntakeTriage triage) =>
        triage.Facts.FirstOrDefault(f => f.Fact.Contains("denial", StringComparison.OrdinalIgnoreCase) || f.Fact.Contains("denied", StringComparison.OrdinalIgnoreCase)) is { } denial
            ? new LetterOptions(LetterTone.Professional, LetterDetail.Standard, LetterPurpose.DenialAppeal, denial.Quote.Length > 0 ? denial.Quote : denial.Fact)
            : new LetterOptions(LetterTone.Professional, LetterDetail.Standard, LetterPurpose.PriorAuthorization);
}
