using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Grains;

public sealed class UserGrainTests(ManeiroCluster cluster) : IClassFixture<ManeiroCluster>
{
    private IUserGrain NewUser() => cluster.Grains.GetGrain<IUserGrain>("user-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Hundred_concurrent_reservations_against_a_limit_of_ten_grant_exactly_ten()
    {
        var user = NewUser();
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => user.TryReserve(UsageKind.Analyses, $"job-{i}", 1)));

        Assert.Equal(10, results.Count(r => r.Granted));
        Assert.All(results.Where(r => !r.Granted), r => Assert.Contains("Free plan", r.DeniedReason, StringComparison.Ordinal));
        var snapshot = await user.GetSnapshot();
        Assert.Equal(10, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
    }

    [Fact]
    public async Task The_same_job_reserved_twice_counts_once_and_a_release_after_failure_restores_the_count()
    {
        var user = NewUser();
        Assert.True((await user.TryReserve(UsageKind.Analyses, "job-a", 1)).Granted);
        Assert.True((await user.TryReserve(UsageKind.Analyses, "job-a", 1)).Granted);
        Assert.Equal(1, await Used(user));

        await user.Release("job-a");
        await user.Release("job-a");
        Assert.Equal(0, await Used(user));

        await user.TryReserve(UsageKind.Analyses, "job-b", 1);
        await user.Commit("job-b");
        await user.Release("job-b");
        Assert.Equal(1, await Used(user));
    }

    [Fact]
    public async Task State_survives_deactivation_and_is_read_back_from_postgres()
    {
        var id = "user-" + Guid.NewGuid().ToString("N");
        var user = cluster.Grains.GetGrain<IUserGrain>(id);
        await user.ApplySubscription(new SubscriptionUpdate(
            SubscriptionTier.Professional, SubscriptionStatus.Active, "cus_42", "sub_42", null, null, DateTimeOffset.UtcNow));
        await user.TryReserve(UsageKind.Letters, "job-1", 2);
        await user.Commit("job-1");

        // Deactivate every grain, so the next call must load from the database.
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);

        var reloaded = await cluster.Grains.GetGrain<IUserGrain>(id).GetSnapshot();
        Assert.Equal(SubscriptionTier.Professional, reloaded.Tier);
        Assert.Equal("cus_42", reloaded.StripeCustomerId);
        Assert.Equal(2, reloaded.Usage.Single(u => u.Kind == UsageKind.Letters).Used);
        Assert.Equal(1000, reloaded.Usage.Single(u => u.Kind == UsageKind.Letters).Limit);

        var rows = await cluster.Database.ScalarAsync<long>("SELECT count(*) FROM orleans_grain_state WHERE grain_id_ext = '" + id + "'");
        Assert.Equal(1, rows);
    }

    /// <summary>
    /// Settled usage (committed entries folded into totals once past the reservation lifetime, zero here so they fold at
    /// the next reservation) is saved in the user's row and read back: it still counts after a reload, and the row keeps
    /// one entry per running job instead of one per job of the period.
    /// </summary>
    [Fact]
    public async Task Settled_usage_is_saved_read_back_and_still_counts()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        var settled = ManeiroCluster.On(database, new Dictionary<string, string?> { ["Usage:Limits:ReservationLifetime"] = "00:00:00" });
        try
        {
            await settled.InitializeAsync();
            var id = "user-" + Guid.NewGuid().ToString("N");
            var user = settled.Grains.GetGrain<IUserGrain>(id);
            for (var i = 0; i < 5; i++)
            {
                Assert.True((await user.TryReserve(UsageKind.Analyses, $"job-{i}", 1)).Granted);
                await user.Commit($"job-{i}");
            }

            await settled.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            Assert.Equal(5, await Used(settled.Grains.GetGrain<IUserGrain>(id)));

            // Five committed, the last of them still an entry until the next reservation folds it; then five of the
            // free plan's ten are used up, so six more ask for one too many.
            var results = new List<bool>();
            for (var i = 5; i < 11; i++)
            {
                results.Add((await user.TryReserve(UsageKind.Analyses, $"job-{i}", 1)).Granted);
                await user.Commit($"job-{i}");
            }

            Assert.Equal([true, true, true, true, true, false], results);
            await settled.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            Assert.Equal(10, await Used(settled.Grains.GetGrain<IUserGrain>(id)));
        }
        finally
        {
            await settled.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    private static async Task<int> Used(IUserGrain user) =>
        (await user.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used;
}
