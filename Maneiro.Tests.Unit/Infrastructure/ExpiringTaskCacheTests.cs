using Maneiro.Infrastructure.References;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Infrastructure;

/// <summary>The reference caches a silo keeps: shared answers, for a while, and a bounded number of them.</summary>
public sealed class ExpiringTaskCacheTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task An_answer_is_shared_until_it_is_older_than_its_lifetime_then_asked_for_again()
    {
        var cache = new ExpiringTaskCache<int>(TimeSpan.FromHours(24), 100, _clock);
        var starts = 0;
        Task<int> Start() => Task.FromResult(++starts);

        Assert.Equal(1, await cache.GetOrStart("glaucoma", Start));
        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(1, await cache.GetOrStart("glaucoma", Start));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, await cache.GetOrStart("glaucoma", Start));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task Past_its_capacity_the_cache_drops_its_oldest_keys_first()
    {
        var cache = new ExpiringTaskCache<string>(TimeSpan.FromHours(24), 10, _clock);
        for (var i = 0; i < 11; i++)
        {
            await cache.GetOrStart($"query {i}", () => Task.FromResult("first"));
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Eleven keys in a cache of ten: trimmed to nine, the two oldest gone.
        Assert.Equal(9, cache.Count);
        Assert.Equal("again", await cache.GetOrStart("query 0", () => Task.FromResult("again")));
        Assert.Equal("first", await cache.GetOrStart("query 10", () => Task.FromResult("again")));
        Assert.Equal("first", await cache.GetOrStart("query 2", () => Task.FromResult("again")));
    }

    [Fact]
    public void Callers_racing_for_a_new_key_start_it_once()
    {
        var cache = new ExpiringTaskCache<int>(TimeSpan.FromHours(24), 100, _clock);
        var starts = 0;
        var gate = new TaskCompletionSource<int>();
        Task<int> Start()
        {
            Interlocked.Increment(ref starts);
            return gate.Task;
        }

        var tasks = Enumerable.Range(0, 32).AsParallel().Select(_ => cache.GetOrStart("summary 31000001", Start)).ToList();
        gate.SetResult(7);

        Assert.Equal(1, starts);
        Assert.All(tasks, t => Assert.Same(gate.Task, t));
    }

    [Fact]
    public async Task A_forgotten_failure_is_asked_again_and_forgetting_a_replaced_task_keeps_the_new_one()
    {
        var cache = new ExpiringTaskCache<int>(TimeSpan.FromHours(24), 100, _clock);
        var failed = cache.GetOrStart("pmid", () => Task.FromException<int>(new HttpRequestException("503")));
        cache.Forget("pmid", failed);
        var second = cache.GetOrStart("pmid", () => Task.FromResult(2));

        cache.Forget("pmid", failed);

        Assert.Equal(2, await cache.GetOrStart("pmid", () => Task.FromResult(3)));
        Assert.Same(second, cache.GetOrStart("pmid", () => Task.FromResult(4)));
    }
}
