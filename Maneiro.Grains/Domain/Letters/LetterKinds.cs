using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Letters;

public static class LetterKinds
{
    public static IReadOnlyList<LetterKind> All { get; } = Enum.GetValues<LetterKind>();

    public static string DisplayName(LetterKind kind) => kind switch
    {
        LetterKind.Referral => "Referral",
        LetterKind.UrgentReferral => "Urgent referral",
        LetterKind.CoManagement => "Co-management",
        LetterKind.SecondOpinion => "Second opinion request",
        LetterKind.PatientSummary => "Patient summary",
        LetterKind.PriorAuthorization => "Insurance / prior authorization",
        _ => kind.ToString(),
    };
}
