using Maneiro.Grains;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Maneiro.Tests.Storage;

/// <summary>Our PostgreSQL schema and query texts against Orleans' own ADO.NET storage provider.</summary>
public sealed class GrainStorageContractTests(ManeiroCluster cluster) : IClassFixture<ManeiroCluster>
{
    private IGrainStorage Storage => cluster.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);

    private static GrainId NewId() => GrainId.Create("contract", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Written_state_reads_back_with_its_etag()
    {
        var id = NewId();
        var written = new GrainState<Probe> { State = new Probe { Text = "hello", Count = 3 } };
        await Storage.WriteStateAsync("contract", id, written);
        Assert.True(written.RecordExists);
        Assert.Equal("1", written.ETag);

        var read = new GrainState<Probe>();
        await Storage.ReadStateAsync("contract", id, read);
        Assert.True(read.RecordExists);
        Assert.Equal("hello", read.State!.Text);
        Assert.Equal(3, read.State!.Count);
        Assert.Equal("1", read.ETag);
    }

    [Fact]
    public async Task A_writer_holding_a_stale_etag_gets_inconsistent_state_and_the_newer_write_survives()
    {
        var id = NewId();
        var first = new GrainState<Probe> { State = new Probe { Text = "v1" } };
        await Storage.WriteStateAsync("contract", id, first);

        var a = new GrainState<Probe>();
        var b = new GrainState<Probe>();
        await Storage.ReadStateAsync("contract", id, a);
        await Storage.ReadStateAsync("contract", id, b);

        a.State!.Text = "from a";
        await Storage.WriteStateAsync("contract", id, a);
        b.State!.Text = "from b";
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("contract", id, b));

        var final = new GrainState<Probe>();
        await Storage.ReadStateAsync("contract", id, final);
        Assert.Equal("from a", final.State!.Text);
        Assert.Equal("2", final.ETag);
    }

    [Fact]
    public async Task Two_first_writes_of_the_same_grain_conflict_instead_of_overwriting()
    {
        var id = NewId();
        await Storage.WriteStateAsync("contract", id, new GrainState<Probe> { State = new Probe { Text = "winner" } });
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            Storage.WriteStateAsync("contract", id, new GrainState<Probe> { State = new Probe { Text = "loser" } }));

        var read = new GrainState<Probe>();
        await Storage.ReadStateAsync("contract", id, read);
        Assert.Equal("winner", read.State!.Text);
    }

    [Fact]
    public async Task Concurrent_writers_with_the_same_etag_lose_no_update_silently()
    {
        var id = NewId();
        var seed = new GrainState<Probe> { State = new Probe() };
        await Storage.WriteStateAsync("contract", id, seed);

        var writers = Enumerable.Range(0, 8).Select(i => new GrainState<Probe> { State = new Probe { Count = i }, ETag = seed.ETag, RecordExists = true }).ToList();
        var outcomes = await Task.WhenAll(writers.Select(async w =>
        {
            try
            {
                await Storage.WriteStateAsync("contract", id, w);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o));
        var read = new GrainState<Probe>();
        await Storage.ReadStateAsync("contract", id, read);
        Assert.Equal(writers[Array.IndexOf(outcomes, true)].State!.Count, read.State!.Count);
    }

    [Fact]
    public async Task Clear_resets_the_state_and_a_stale_clear_conflicts()
    {
        var id = NewId();
        var state = new GrainState<Probe> { State = new Probe { Text = "to clear" } };
        await Storage.WriteStateAsync("contract", id, state);
        var stale = new GrainState<Probe> { ETag = state.ETag, RecordExists = true };

        await Storage.ClearStateAsync("contract", id, state);
        Assert.False(state.RecordExists);

        var read = new GrainState<Probe>();
        await Storage.ReadStateAsync("contract", id, read);
        Assert.Null(read.State!.Text);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync("contract", id, stale));
    }

    [Fact]
    public async Task Reading_a_grain_never_written_gives_default_state_and_no_record()
    {
        var read = new GrainState<Probe>();
        await Storage.ReadStateAsync("contract", NewId(), read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.NotNull(read.State);
    }
}

[GenerateSerializer]
public sealed class Probe
{
    [Id(0)] public string? Text { get; set; }

    [Id(1)] public int Count { get; set; }
}
