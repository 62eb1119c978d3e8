using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Inbox;

/// <summary>What a clinic may save as its inbox settings.</summary>
public static class InboxSettingsRules
{
    public const int MaxRules = 50;

    /// <summary>The settings, trimmed, or a <see cref="ClinicRefusedException"/> saying what to fix.</summary>
    public static InboxSettings Checked(InboxSettings settings)
    {
        if (settings.Rules.Count > MaxRules)
        {
            throw new ClinicRefusedException($"A clinic can have at most {MaxRules} urgency rules.");
        }

        var rules = new List<InboxUrgencyRule>();
        foreach (var rule in settings.Rules)
        {
            var keyword = rule.Keyword.Trim();
            if (rule.Kind is null && keyword.Length == 0)
            {
                throw new ClinicRefusedException("Each urgency rule needs a kind of document, a word to look for, or both.");
            }

            if (keyword.Length > 80 || (rule.Kind is { } kind && !Enum.IsDefined(kind)) || !Enum.IsDefined(rule.Urgency))
            {
                throw new ClinicRefusedException("An urgency rule's word is at most 80 characters, and its kind and urgency come from the lists.");
            }

            rules.Add(rule with { Keyword = keyword });
        }

        var schedule = new List<InboxSchedule>();
        foreach (var urgency in Enum.GetValues<IntakeUrgency>())
        {
            var row = settings.Schedule.FirstOrDefault(s => s.Urgency == urgency) ?? InboxSettings.Default.ScheduleFor(urgency)!;
            var timing = row.Timing.Trim();
            if (timing.Length is 0 or > 80 || row.VisitMinutes is < 5 or > 240)
            {
                throw new ClinicRefusedException("Each urgency needs a timing (up to 80 characters) and a visit length from 5 to 240 minutes.");
            }

            schedule.Add(new InboxSchedule(urgency, timing, row.VisitMinutes));
        }

        return new InboxSettings(rules, schedule);
    }
}
