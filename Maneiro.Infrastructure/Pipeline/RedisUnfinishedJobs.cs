using StackExchange.Redis;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>
/// The unfinished jobs of one deployment as a Redis sorted set beside its reminder table (<c>{ServiceId}/…</c>, so a
/// test cluster sees only its own): each member a job's grain id, its score the time it was added or last woken.
/// </summary>
public sealed class RedisUnfinishedJobs(IConnectionMultiplexer redis, string serviceId) : IUnfinishedJobs
{
    public static string KeyOf(string serviceId) => serviceId + "/unfinished-jobs";

    private RedisKey Key { get; } = KeyOf(serviceId);

    public Task AddAsync(GrainId job, DateTimeOffset since) =>
        redis.GetDatabase().SortedSetAddAsync(Key, job.ToString(), since.ToUnixTimeMilliseconds());

    public Task RemoveAsync(GrainId job) => redis.GetDatabase().SortedSetRemoveAsync(Key, job.ToString());

    public async Task<IReadOnlyList<GrainId>> AddedBeforeAsync(DateTimeOffset cutoff, int take)
    {
        var members = await redis.GetDatabase().SortedSetRangeByScoreAsync(Key, double.NegativeInfinity, cutoff.ToUnixTimeMilliseconds(), Exclude.Stop, Order.Ascending, 0, take);
        return members.Select(m => GrainId.Parse(m.ToString(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }
}
