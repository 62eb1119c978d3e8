using System.Globalization;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Users;

namespace Maneiro.Grains.Domain;

/// <summary>
/// The usage rules of one account: reservations count against the period's allowance the moment they are
/// granted, so concurrent jobs can never overshoot it; every operation is idempotent per job.
/// Each method returns whether it changed the state, so the caller knows when to persist.
/// </summary>
public sealed class UsageLedger(UserState state, UsageLimitsOptions limits, DateTimeOffset now)
{
    public TierLimits EffectiveLimits => limits.For(EffectiveTier);

    public DateTimeOffset? GraceEndsAt => state.Status == SubscriptionStatus.PastDue && state.PastDueSince is { } since
        ? since.AddDays(limits.PastDueGraceDays)
        : null;

    /// <summary>Paid limits apply while the subscription is live, and for a grace period after a failed payment.</summary>
    public SubscriptionTier EffectiveTier => state.Status switch
    {
        SubscriptionStatus.Active or SubscriptionStatus.Trialing => state.Tier,
        SubscriptionStatus.PastDue when GraceEndsAt is { } end && now < end => state.Tier,
        _ => SubscriptionTier.Free,
    };

    /// <summary>Starts the first period, or rolls over to the period containing the current time.</summary>
    public bool EnsurePeriod()
    {
        if (state.PeriodEnd == default)
        {
            state.PeriodStart = now;
            state.PeriodEnd = now.AddMonths(1);
            return true;
        }

        if (now < state.PeriodEnd)
        {
            return false;
        }

        while (state.PeriodEnd <= now)
        {
            state.PeriodStart = state.PeriodEnd;
            state.PeriodEnd = state.PeriodEnd.AddMonths(1);
        }

        ClearCommittedUsage();
        return true;
    }

    public int Used(UsageKind kind) =>
        state.SettledUsage.GetValueOrDefault(kind) + state.Entries.Values.Where(e => e.Kind == kind).Sum(e => e.Amount);

    public (ReservationResult Result, bool Changed) TryReserve(UsageKind kind, string jobId, int amount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);

        var changed = EnsurePeriod() | ExpireStaleReservations() | SettleOldUsage();
        if (state.Entries.TryGetValue(Key(jobId, kind), out var held))
        {
            // Asking again renews a pending reservation: the job is alive. Not within the first twenty-fourth of its
            // lifetime (an hour by default): a job launched a moment after the upload reserved it saves nothing.
            if (!held.Committed && now - held.ReservedAt >= limits.ReservationLifetime / 24)
            {
                held.ReservedAt = now;
                changed = true;
            }

            return (ReservationResult.Grant(), changed);
        }

        var limit = EffectiveLimits.For(kind);
        var used = Used(kind);
        if (limit is { } max && used + amount > max)
        {
            return (ReservationResult.Deny(DeniedReason(kind, max, used)), changed);
        }

        state.Entries[Key(jobId, kind)] = new UsageEntry { Kind = kind, Amount = amount, ReservedAt = now };
        return (ReservationResult.Grant(), true);
    }

    /// <summary>Commits the job's pending entries, or only those of <paramref name="kind"/> (one stage's work is done).</summary>
    public bool Commit(string jobId, UsageKind? kind = null)
    {
        var changed = false;
        foreach (var entry in EntriesOf(jobId).Where(e => !e.Committed && (kind is null || e.Kind == kind)))
        {
            entry.Committed = true;
            changed = true;
        }

        return changed;
    }

    public bool Release(string jobId)
    {
        var pending = EntriesOf(jobId).Where(e => !e.Committed).ToList();
        foreach (var entry in pending)
        {
            state.Entries.Remove(Key(jobId, entry.Kind));
        }

        return pending.Count > 0;
    }

    /// <summary>
    /// Applies a plan whatever Stripe event came before: a clinic puts a member on its plan when they join, and off it
    /// when they leave; from then on only that clinic's (newer) events apply.
    /// </summary>
    public bool Replace(SubscriptionUpdate update)
    {
        state.LastStripeEventAt = null;
        return Apply(update);
    }

    /// <summary>
    /// Applies a subscription change unless an event at least as new was applied already (deliveries are unordered).
    /// A new billing period resets the period's usage.
    /// </summary>
    public bool Apply(SubscriptionUpdate update)
    {
        if (state.LastStripeEventAt is { } last && update.EventTime < last)
        {
            return false;
        }

        var newPeriod = update.PeriodStart is { } start && start != state.PeriodStart;
        state.PastDueSince = update.Status == SubscriptionStatus.PastDue
            ? (state.Status == SubscriptionStatus.PastDue ? state.PastDueSince : update.EventTime)
            : null;
        state.Tier = update.Tier;
        state.Status = update.Status;
        state.StripeCustomerId = update.StripeCustomerId ?? state.StripeCustomerId;
        state.StripeSubscriptionId = update.StripeSubscriptionId ?? state.StripeSubscriptionId;
        state.LastStripeEventAt = update.EventTime;
        if (update.PeriodStart is { } periodStart && update.PeriodEnd is { } periodEnd)
        {
            state.PeriodStart = periodStart;
            state.PeriodEnd = periodEnd;
        }

        if (newPeriod)
        {
            ClearCommittedUsage();
        }

        return true;
    }

    /// <summary>
    /// Gives back reservations no job has renewed within <see cref="UsageLimitsOptions.ReservationLifetime"/>, so an
    /// upload that died after reserving never blocks the account. A job resumed later reserves again.
    /// </summary>
    public bool ExpireStaleReservations()
    {
        var changed = false;
        foreach (var (key, entry) in state.Entries.Where(p => !p.Value.Committed).ToList())
        {
            if (entry.ReservedAt == default)
            {
                // Saved before reservations had a time: its clock starts now.
                entry.ReservedAt = now;
                changed = true;
            }
            else if (now - entry.ReservedAt >= limits.ReservationLifetime)
            {
                state.Entries.Remove(key);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>
    /// Folds committed entries older than <see cref="UsageLimitsOptions.ReservationLifetime"/> into the period's totals
    /// per kind. An entry is kept while its job may still ask again (a resumed run reserves or commits once more, and
    /// must not be counted twice); after the lifetime a job's reservation would have expired anyway. Without this the
    /// account's state, rewritten at every reservation, grew by an entry per job for the whole period.
    /// </summary>
    public bool SettleOldUsage()
    {
        var settled = state.Entries.Where(p => p.Value.Committed && now - p.Value.ReservedAt >= limits.ReservationLifetime).ToList();
        foreach (var (key, entry) in settled)
        {
            state.SettledUsage[entry.Kind] = state.SettledUsage.GetValueOrDefault(entry.Kind) + entry.Amount;
            state.Entries.Remove(key);
        }

        return settled.Count > 0;
    }

    public UserSnapshot Snapshot(string userId)
    {
        var lines = Enum.GetValues<UsageKind>().Select(k => new UsageLine(k, Used(k), EffectiveLimits.For(k))).ToList();
        return new UserSnapshot(
            userId,
            state.Tier,
            state.Status,
            state.StripeCustomerId,
            state.StripeSubscriptionId,
            state.PeriodStart,
            state.PeriodEnd,
            state.LastStripeEventAt,
            lines,
            GraceEndsAt,
            EffectiveTier);
    }

    /// <summary>Links the Stripe customer a checkout created; never replaces an existing link.</summary>
    public bool LinkCustomer(string customerId, string? subscriptionId)
    {
        var changed = false;
        if (state.StripeCustomerId != customerId)
        {
            state.StripeCustomerId = customerId;
            changed = true;
        }

        if (subscriptionId is not null && state.StripeSubscriptionId != subscriptionId)
        {
            state.StripeSubscriptionId = subscriptionId;
            changed = true;
        }

        return changed;
    }

    private void ClearCommittedUsage()
    {
        // Pending reservations belong to jobs still running; they count in the new period.
        foreach (var key in state.Entries.Where(p => p.Value.Committed).Select(p => p.Key).ToList())
        {
            state.Entries.Remove(key);
        }

        state.SettledUsage.Clear();
    }

    /// <summary>A job's entries, looked up by key (one per kind), not found by reading the whole period's.</summary>
    private IEnumerable<UsageEntry> EntriesOf(string jobId)
    {
        foreach (var kind in Kinds)
        {
            if (state.Entries.TryGetValue(Key(jobId, kind), out var entry))
            {
                yield return entry;
            }
        }
    }

    private static readonly UsageKind[] Kinds = Enum.GetValues<UsageKind>();

    private string DeniedReason(UsageKind kind, int limit, int used)
    {
        var what = kind switch
        {
            UsageKind.Analyses => "analyses",
            UsageKind.Letters => "letters",
            UsageKind.OcrPages => "OCR pages",
            UsageKind.AudioMinutes => "minutes of audio transcription",
            _ => kind.ToString(),
        };
        var resets = state.PeriodEnd.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);
        return used >= limit
            ? $"You have used all {limit} {what} included in the {EffectiveTier} plan for this period. It resets on {resets}; upgrade your plan to continue sooner."
            : $"This needs more {what} than the {limit - used} left in your {EffectiveTier} plan for this period. It resets on {resets}; upgrade your plan for a larger allowance.";
    }

    private static string Key(string jobId, UsageKind kind) => $"{jobId}|{kind}";
}
