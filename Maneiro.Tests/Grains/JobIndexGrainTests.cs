using Maneiro.Grains;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Maneiro.Tests.Grains;

/// <summary>The job index: one row per entry in its table, whatever the length of the history.</summary>
public sealed class JobIndexGrainTests(ManeiroCluster cluster) : IClassFixture<ManeiroCluster>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_long_history_is_rows_of_a_table_paged_newest_first_not_a_list_rewritten_at_every_add()
    {
        var key = "user-" + Guid.NewGuid().ToString("N");
        var index = cluster.Grains.GetGrain<IJobIndexGrain>(key);
        for (var i = 0; i < 60; i++)
        {
            await index.Add($"job-{i}", Start.AddMinutes(i));
        }

        // Two of the same instant keep the order they came in; an id added again keeps its place.
        await index.Add("tie-a", Start.AddHours(3));
        await index.Add("tie-b", Start.AddHours(3));
        await index.Add("job-0", Start.AddHours(5));

        Assert.Equal(["tie-a", "tie-b", "job-59"], await index.Page(0, 3));
        Assert.Equal(["job-58", "job-57"], await index.Page(3, 2));
        Assert.Equal(62, await index.Count());
        Assert.Equal(62, await cluster.Database.ScalarAsync<long>($"SELECT count(*) FROM job_index WHERE index_key = '{key}'"));
        Assert.Equal(0, await cluster.Database.ScalarAsync<long>($"SELECT count(*) FROM orleans_grain_state WHERE grain_id_ext = '{key}' AND payload IS NOT NULL"));

        await index.Remove("job-59");
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(["tie-a", "tie-b", "job-58"], await index.Page(0, 3));
        Assert.Equal(61, await index.Count());
        Assert.Equal("job-0", (await index.Page(0, int.MaxValue))[^1]);
    }

    [Fact]
    public async Task A_list_saved_as_grain_state_moves_into_the_table_when_its_grain_activates()
    {
        var key = "user-" + Guid.NewGuid().ToString("N");
        var legacy = new JobIndexState
        {
            Jobs = [new("old-1", Start), new("old-2", Start.AddMinutes(1)), new("same-a", Start.AddMinutes(2)), new("same-b", Start.AddMinutes(2))],
        };
        var storage = cluster.SiloServices.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        await storage.WriteStateAsync("jobs", GrainId.Create("jobindex", key), new GrainState<JobIndexState>(legacy));

        var index = cluster.Grains.GetGrain<IJobIndexGrain>(key);
        Assert.Equal(["same-a", "same-b", "old-2", "old-1"], await index.Page(0, 10));
        Assert.Equal(0, await cluster.Database.ScalarAsync<long>($"SELECT count(*) FROM orleans_grain_state WHERE grain_id_ext = '{key}' AND payload IS NOT NULL"));

        // Moved once: a later activation reads the table alone, with what was added since.
        await index.Add("new-1", Start.AddDays(1));
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(["new-1", "same-a", "same-b", "old-2", "old-1"], await index.Page(0, 10));
    }

    [Fact]
    public async Task A_row_a_job_added_to_the_table_before_the_old_list_moved_is_kept_in_its_place()
    {
        // Jobs add their rows through the store, without activating the index grain: an account with a list saved the
        // old way gets its new analysis's row first, and the list moves in when the grain first serves a read.
        var key = "user-" + Guid.NewGuid().ToString("N");
        var storage = cluster.SiloServices.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        await storage.WriteStateAsync("jobs", GrainId.Create("jobindex", key), new GrainState<JobIndexState>(new JobIndexState { Jobs = [new("old-1", Start), new("old-2", Start.AddMinutes(1))] }));
        var store = cluster.SiloServices.GetRequiredService<Maneiro.Grains.Services.IJobIndexStore>();
        await store.AddAsync(key, [("new-1", Start.AddDays(1))]);

        var index = cluster.Grains.GetGrain<IJobIndexGrain>(key);
        Assert.Equal(["new-1", "old-2", "old-1"], await index.Page(0, 10));

        // A removal waits for the move: an old entry removed does not come back with a later activation.
        await index.Remove("old-2");
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(["new-1", "old-1"], await index.Page(0, 10));
    }
}
