using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Users;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Maneiro.Tests.Unit.Domain;

public sealed class UsageLedgerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly UserState _state = new();
    private readonly UsageLedger _ledger;

    public UsageLedgerTests() => _ledger = At(Start);

    private UsageLedger At(DateTimeOffset now) => new(_state, new UsageLimitsOptions(), now);

    [Fact]
    public void Free_tier_grants_up_to_its_limit_then_denies_with_a_readable_reason()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.True(_ledger.TryReserve(UsageKind.Analyses, $"job-{i}", 1).Result.Granted);
        }

        var denied = _ledger.TryReserve(UsageKind.Analyses, "job-10", 1).Result;
        Assert.False(denied.Granted);
        Assert.Contains("all 10 analyses", denied.DeniedReason, StringComparison.Ordinal);
        Assert.Contains("February 15, 2026", denied.DeniedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_entry_names_its_job_once_in_its_key()
    {
        (_state.Tier, _state.Status) = (SubscriptionTier.Enterprise, SubscriptionStatus.Active);
        var jobs = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        foreach (var job in jobs)
        {
            _ledger.TryReserve(UsageKind.Analyses, job, 1);
            _ledger.Commit(job);
        }

        // The state as grain storage writes it (Orleans' binary format), at every reservation and commit.
        var serializer = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(UserState).Assembly))
            .BuildServiceProvider()
            .GetRequiredService<Serializer>();
        var stored = serializer.SerializeToArray(_state);
        foreach (var job in jobs)
        {
            Assert.Equal(1, Occurrences(stored, System.Text.Encoding.UTF8.GetBytes(job)));
        }

        // Read back, the entries are the same: found by key, released and committed by job.
        var read = serializer.Deserialize<UserState>(stored)!;
        Assert.Equal(20, new UsageLedger(read, new UsageLimitsOptions(), Start).Used(UsageKind.Analyses));
        Assert.False(new UsageLedger(read, new UsageLimitsOptions(), Start).Release(jobs[0]));
    }

    private static int Occurrences(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var i = haystack.AsSpan().IndexOf(needle); i >= 0; i = haystack.AsSpan(i + 1).IndexOf(needle) is var next and >= 0 ? i + 1 + next : -1)
        {
            count++;
        }

        return count;
    }

    [Fact]
    public void Releasing_a_job_s_pending_entries_finds_them_by_key()
    {
        _ledger.TryReserve(UsageKind.Analyses, "job", 1);
        _ledger.TryReserve(UsageKind.OcrPages, "job", 4);
        _ledger.Commit("job", UsageKind.OcrPages);

        Assert.True(_ledger.Release("job"));
        Assert.Equal(["job|OcrPages"], _state.Entries.Keys);
        Assert.False(_ledger.Release("job"));
    }

    [Fact]
    public void Commit_and_release_touch_only_the_job_s_own_entries_kind_by_kind()
    {
        _ledger.TryReserve(UsageKind.Analyses, "other", 1);
        _ledger.TryReserve(UsageKind.OcrPages, "other", 3);
        _ledger.TryReserve(UsageKind.Analyses, "job", 1);
        _ledger.TryReserve(UsageKind.OcrPages, "job", 4);

        // The job's OCR pages are done; its analysis fails: only its pending analysis goes back.
        Assert.True(_ledger.Commit("job", UsageKind.OcrPages));
        Assert.False(_ledger.Commit("job", UsageKind.OcrPages));
        Assert.True(_ledger.Release("job"));
        Assert.False(_ledger.Release("job"));
        Assert.Equal((1, 7), (_ledger.Used(UsageKind.Analyses), _ledger.Used(UsageKind.OcrPages)));
        Assert.Equal(["other|Analyses", "other|OcrPages", "job|OcrPages"], _state.Entries.Keys);

        // The other job commits all it holds.
        Assert.True(_ledger.Commit("other"));
        Assert.All(_state.Entries.Values, e => Assert.True(e.Committed));
    }

    [Fact]
    public void Reserving_the_same_job_twice_counts_once()
    {
        Assert.True(_ledger.TryReserve(UsageKind.OcrPages, "job", 5).Changed);
        var again = _ledger.TryReserve(UsageKind.OcrPages, "job", 5);
        Assert.True(again.Result.Granted);
        Assert.False(again.Changed);
        Assert.Equal(5, _ledger.Used(UsageKind.OcrPages));
    }

    [Fact]
    public void Release_gives_back_pending_units_but_not_committed_ones()
    {
        _ledger.TryReserve(UsageKind.Analyses, "failed", 1);
        _ledger.TryReserve(UsageKind.Analyses, "done", 1);
        Assert.True(_ledger.Commit("done"));
        Assert.False(_ledger.Commit("done"));

        Assert.True(_ledger.Release("failed"));
        Assert.False(_ledger.Release("failed"));
        Assert.False(_ledger.Release("done"));
        Assert.Equal(1, _ledger.Used(UsageKind.Analyses));
    }

    [Fact]
    public void A_request_larger_than_what_is_left_is_denied_without_holding_anything()
    {
        var result = _ledger.TryReserve(UsageKind.OcrPages, "big", 51);
        Assert.False(result.Result.Granted);
        Assert.Contains("more OCR pages than the 50 left", result.Result.DeniedReason, StringComparison.Ordinal);
        Assert.Equal(0, _ledger.Used(UsageKind.OcrPages));
    }

    [Fact]
    public void Period_rolls_over_on_first_call_after_it_ends_keeping_pending_reservations()
    {
        _ledger.TryReserve(UsageKind.Analyses, "committed", 1);
        _ledger.Commit("committed");
        _ledger.TryReserve(UsageKind.Analyses, "in-flight", 1);

        var later = At(Start.AddMonths(2).AddDays(3));
        Assert.True(later.EnsurePeriod());
        Assert.Equal(Start.AddMonths(2), _state.PeriodStart);
        Assert.Equal(Start.AddMonths(3), _state.PeriodEnd);
        Assert.Equal(1, later.Used(UsageKind.Analyses));
    }

    [Fact]
    public void Enterprise_is_unlimited_and_canceled_subscriptions_get_free_limits()
    {
        _ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Enterprise, SubscriptionStatus.Active, "cus_1", "sub_1", null, null, Start));
        Assert.Null(_ledger.EffectiveLimits.Analyses);
        for (var i = 0; i < 50; i++)
        {
            Assert.True(_ledger.TryReserve(UsageKind.Analyses, $"e-{i}", 1).Result.Granted);
        }

        _ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Enterprise, SubscriptionStatus.Canceled, null, null, null, null, Start.AddMinutes(1)));
        Assert.Equal(SubscriptionTier.Free, _ledger.EffectiveTier);
        Assert.False(_ledger.TryReserve(UsageKind.Analyses, "after-cancel", 1).Result.Granted);
    }

    [Fact]
    public void An_older_subscription_event_does_not_overwrite_a_newer_one()
    {
        Assert.True(_ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Professional, SubscriptionStatus.Active, "cus", "sub", null, null, Start.AddMinutes(5))));
        Assert.False(_ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.Active, "cus", "sub", null, null, Start)));
        Assert.Equal(SubscriptionTier.Professional, _state.Tier);
    }

    [Fact]
    public void A_failed_payment_keeps_paid_limits_for_the_grace_period_then_free_limits_apply()
    {
        _ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.Active, "cus", "sub", null, null, Start));
        _ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.PastDue, "cus", "sub", null, null, Start.AddDays(1)));
        Assert.Equal(Start.AddDays(8), _ledger.GraceEndsAt);
        Assert.Equal(SubscriptionTier.Basic, At(Start.AddDays(7)).EffectiveTier);
        Assert.Equal(SubscriptionTier.Free, At(Start.AddDays(9)).EffectiveTier);

        // A second failure does not restart the grace period; payment ends it.
        _ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.PastDue, "cus", "sub", null, null, Start.AddDays(4)));
        Assert.Equal(Start.AddDays(8), _ledger.GraceEndsAt);
        _ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.Active, "cus", "sub", null, null, Start.AddDays(10)));
        Assert.Null(_ledger.GraceEndsAt);
        Assert.Equal(SubscriptionTier.Basic, At(Start.AddDays(10)).EffectiveTier);
    }

    [Fact]
    public void A_new_billing_period_from_billing_resets_committed_usage()
    {
        _ledger.TryReserve(UsageKind.Letters, "l1", 3);
        _ledger.Commit("l1");
        var next = Start.AddMonths(1);
        _ledger.Apply(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.Active, "cus", "sub", next, next.AddMonths(1), next));
        Assert.Equal(0, _ledger.Used(UsageKind.Letters));
        Assert.Equal(next, _state.PeriodStart);
    }

    [Fact]
    public void A_stage_committed_by_kind_stays_charged_when_the_rest_of_the_job_is_released()
    {
        _ledger.TryReserve(UsageKind.Analyses, "job", 1);
        _ledger.TryReserve(UsageKind.OcrPages, "job", 3);
        Assert.True(_ledger.Commit("job", UsageKind.OcrPages));

        Assert.True(_ledger.Release("job"));
        Assert.Equal(3, _ledger.Used(UsageKind.OcrPages));
        Assert.Equal(0, _ledger.Used(UsageKind.Analyses));
    }

    [Fact]
    public void A_reservation_no_job_renewed_for_a_day_is_given_back_and_can_be_taken_again()
    {
        for (var i = 0; i < 10; i++)
        {
            _ledger.TryReserve(UsageKind.Analyses, $"aborted-{i}", 1);
        }

        // A renewal keeps one alive; the others lapse a day after they were made.
        At(Start.AddHours(20)).TryReserve(UsageKind.Analyses, "aborted-0", 1);
        var nextDay = At(Start.AddHours(24));
        Assert.True(nextDay.ExpireStaleReservations());
        Assert.Equal(1, nextDay.Used(UsageKind.Analyses));
        Assert.True(nextDay.TryReserve(UsageKind.Analyses, "aborted-5", 1).Result.Granted);
        Assert.Equal(2, nextDay.Used(UsageKind.Analyses));

        // Committed usage never lapses.
        nextDay.Commit("aborted-5");
        Assert.True(At(Start.AddDays(3)).ExpireStaleReservations());
        Assert.Equal(1, At(Start.AddDays(3)).Used(UsageKind.Analyses));
    }

    [Fact]
    public void Asking_again_soon_after_a_reservation_changes_nothing_and_later_renews_it()
    {
        Assert.True(_ledger.TryReserve(UsageKind.Analyses, "job", 1).Changed);
        var soon = At(Start.AddMinutes(5)).TryReserve(UsageKind.Analyses, "job", 1);
        Assert.True(soon.Result.Granted);
        Assert.False(soon.Changed);
        Assert.Equal(Start, _state.Entries["job|Analyses"].ReservedAt);

        var later = At(Start.AddHours(2)).TryReserve(UsageKind.Analyses, "job", 1);
        Assert.True(later.Changed);
        Assert.Equal(Start.AddHours(2), _state.Entries["job|Analyses"].ReservedAt);
    }

    [Fact]
    public void A_reservation_saved_before_reservations_had_a_time_starts_its_clock_instead_of_lapsing()
    {
        _state.Entries["old|Analyses"] = new UsageEntry { JobId = "old", Kind = UsageKind.Analyses, Amount = 1 };
        Assert.True(_ledger.ExpireStaleReservations());
        Assert.Equal(Start, _state.Entries["old|Analyses"].ReservedAt);
        Assert.Equal(1, _ledger.Used(UsageKind.Analyses));
    }

    [Fact]
    public void Committed_usage_older_than_a_reservation_lifetime_is_kept_as_a_total_and_still_counts()
    {
        for (var i = 0; i < 10; i++)
        {
            _ledger.TryReserve(UsageKind.Analyses, $"job-{i}", 1);
            _ledger.TryReserve(UsageKind.OcrPages, $"job-{i}", 3);
            _ledger.Commit($"job-{i}");
        }

        _ledger.TryReserve(UsageKind.OcrPages, "running", 2);
        Assert.Equal(21, _state.Entries.Count);

        // A day later: the committed entries become totals; the running job's reservation is still its own entry.
        var nextDay = At(Start.AddHours(23));
        Assert.True(nextDay.TryReserve(UsageKind.OcrPages, "running", 2).Result.Granted);
        var later = At(Start.AddHours(25));
        var denied = later.TryReserve(UsageKind.Analyses, "job-10", 1);
        Assert.True(denied.Changed);
        Assert.False(denied.Result.Granted);
        Assert.Contains("all 10 analyses", denied.Result.DeniedReason, StringComparison.Ordinal);
        Assert.Equal(["running|OcrPages"], _state.Entries.Keys);
        Assert.Equal(10, _state.SettledUsage[UsageKind.Analyses]);
        Assert.Equal(10, later.Used(UsageKind.Analyses));
        Assert.Equal(32, later.Used(UsageKind.OcrPages));
        Assert.Equal(10, later.Snapshot("user").Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
    }

    [Fact]
    public void A_job_asking_again_within_the_lifetime_is_not_counted_twice()
    {
        _ledger.TryReserve(UsageKind.OcrPages, "job", 4);
        _ledger.Commit("job", UsageKind.OcrPages);

        // A resumed run reserves its pages again a few hours later: the committed entry is still there to say so.
        var resumed = At(Start.AddHours(6));
        Assert.True(resumed.TryReserve(UsageKind.OcrPages, "job", 4).Result.Granted);
        Assert.False(resumed.SettleOldUsage());
        Assert.Equal(4, resumed.Used(UsageKind.OcrPages));
    }

    [Fact]
    public void A_new_period_clears_the_settled_totals()
    {
        _ledger.TryReserve(UsageKind.Analyses, "job", 1);
        _ledger.Commit("job");
        var later = At(Start.AddDays(2));
        Assert.True(later.SettleOldUsage());
        Assert.Equal(1, later.Used(UsageKind.Analyses));

        var nextPeriod = At(Start.AddMonths(1).AddDays(1));
        Assert.True(nextPeriod.EnsurePeriod());
        Assert.Equal(0, nextPeriod.Used(UsageKind.Analyses));
        Assert.Empty(_state.SettledUsage);
    }
}
