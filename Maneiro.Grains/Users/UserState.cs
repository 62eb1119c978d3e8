using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Users;

/// <summary>Persisted state of <see cref="UserGrain"/>.</summary>
[GenerateSerializer, Alias("Maneiro.UserState")]
public sealed class UserState
{
    [Id(0)] public SubscriptionTier Tier { get; set; }

    [Id(1)] public SubscriptionStatus Status { get; set; }

    [Id(2)] public string? StripeCustomerId { get; set; }

    [Id(3)] public string? StripeSubscriptionId { get; set; }

    [Id(4)] public DateTimeOffset PeriodStart { get; set; }

    [Id(5)] public DateTimeOffset PeriodEnd { get; set; }

    [Id(6)] public DateTimeOffset? LastStripeEventAt { get; set; }

    /// <summary>Usage entries of the current period, keyed by <c>jobId|kind</c>; pending entries are reservations.</summary>
    [Id(7)] public Dictionary<string, UsageEntry> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the subscription became past due; paid limits last a grace period from here.</summary>
    [Id(8)] public DateTimeOffset? PastDueSince { get; set; }

    /// <summary>The clinic the account belongs to (unset in rows saved before clinics: it is founded on first use).</summary>
    [Id(9)] public string? ClinicId { get; set; }

    /// <summary>Whether the clinic keyed by this account's own id exists already (a later clinic of one gets a new id).</summary>
    [Id(10)] public bool FoundedOwnClinic { get; set; }

    /// <summary>The account's choice to skip the transcript review: recordings go to the model as transcribed.</summary>
    [Id(11)] public bool AnalyzeRecordingsRightAway { get; set; }

    /// <summary>The account's time zone (IANA id) for pages and the dates of letters it signs; null until chosen or taken from the browser.</summary>
    [Id(12)] public string? TimeZoneId { get; set; }

    /// <summary>
    /// Committed usage of the current period folded out of <see cref="Entries"/> once no job can ask about it again
    /// (older than the reservation lifetime), per kind: the state stays the size of a day's work, not a period's.
    /// </summary>
    [Id(13)] public Dictionary<UsageKind, int> SettledUsage { get; set; } = [];
}

[GenerateSerializer, Alias("Maneiro.UsageEntry")]
public sealed class UsageEntry
{
    /// <summary>
    /// The job, in entries saved before the key alone named it. New entries leave it unset: the key (<c>jobId|kind</c>)
    /// names the job, and an account's state, rewritten at every reservation and commit, is about a third smaller.
    /// </summary>
    [Id(0)] public string? JobId { get; set; }

    [Id(1)] public UsageKind Kind { get; set; }

    [Id(2)] public int Amount { get; set; }

    [Id(3)] public bool Committed { get; set; }

    /// <summary>When the reservation was made or last renewed by its job (unset in rows saved before this field).</summary>
    [Id(4)] public DateTimeOffset ReservedAt { get; set; }
}
