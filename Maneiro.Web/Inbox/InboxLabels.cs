using System.Globalization;
using Maneiro.Grains.Domain.Inbox;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Inbox;

/// <summary>How the inbox pages name statuses, kinds and urgencies.</summary>
public static class InboxLabels
{
    public static string Status(IntakeStatus status) => status switch
    {
        IntakeStatus.Reading => "Reading",
        IntakeStatus.Triaged => "Triaged",
        IntakeStatus.Assigned => "Assigned",
        IntakeStatus.Done => "Done",
        _ => "Could not be read",
    };

    public static string Kind(IntakeKind kind) => kind switch
    {
        IntakeKind.PriorAuthorizationRequest => "Prior-authorization request",
        IntakeKind.PriorAuthorizationDecision => "Prior-authorization decision",
        IntakeKind.Other => "Marketing / other",
        _ => Capitalized(IntakeTriageRules.KindLabel(kind)),
    };

    public static string Urgency(IntakeUrgency urgency) => urgency switch
    {
        IntakeUrgency.Stat => "Stat",
        IntakeUrgency.Urgent => "Urgent",
        IntakeUrgency.Soon => "Soon",
        _ => "Routine",
    };

    /// <summary>How long ago, as the front desk says it.</summary>
    public static string Age(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        return age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes} min ago")
            : age.TotalDays < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h ago")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays} d ago");
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
