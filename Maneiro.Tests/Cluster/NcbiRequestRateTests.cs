using System.Diagnostics;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.References;
using Maneiro.Testing;
using StackExchange.Redis;

namespace Maneiro.Tests.Cluster;

/// <summary>
/// NCBI allows a deployment 3 E-utilities requests a second (10 with a key), whatever its number of silos. Each silo
/// spaced only its own requests, so two silos could send twice the rate. The slots now come from the Redis the silos
/// share: two processes' requests, asked for at once, get slots one spacing apart on Redis's clock, and each waits for
/// its slot (only a lower bound on the time that takes is checked: a slow machine lengthens it, never shortens it).
/// </summary>
public sealed class NcbiRequestRateTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(200);


    [Fact]
    public async Task Two_silos_asking_at_once_share_one_rate()
    {
        var key = "maneiro-test:" + Guid.NewGuid().ToString("N") + ":ncbi-next-request";
        await using var first = await ConnectionMultiplexer.ConnectAsync(ConnectionUrls.ToRedisConfiguration(TestServers.RedisUrl));
        await using var second = await ConnectionMultiplexer.ConnectAsync(ConnectionUrls.ToRedisConfiguration(TestServers.RedisUrl));
        var silos = new[] { new NcbiRequestSlots(first, key, TimeProvider.System), new NcbiRequestSlots(second, key, TimeProvider.System) };

        var (slots, elapsed) = await TakeSlotsAsync(Enumerable.Range(0, 8).Select(i => silos[i % 2]));

        Assert.Equal(8, slots.Distinct().Count());
        Assert.All(Gaps(slots), gap => Assert.True(gap >= Spacing.TotalMicroseconds, $"two slots {gap / 1000.0:0.0} ms apart"));
        Assert.True(elapsed >= 7 * Spacing - Spacing / 2, $"eight requests waited only {elapsed.TotalMilliseconds:0} ms in all");
    }

    [Fact]
    public async Task Without_Redis_a_silo_still_spaces_its_own_requests()
    {
        // A Redis that is not there: the reservation fails at once and the process keeps its own spacing.
        var options = ConfigurationOptions.Parse($"127.0.0.1:{TestServers.FreeTcpPort()},abortConnect=false,connectTimeout=200");
        await using var away = await ConnectionMultiplexer.ConnectAsync(options);
        var silo = new NcbiRequestSlots(away, "maneiro-test:away", TimeProvider.System);

        var (slots, elapsed) = await TakeSlotsAsync(Enumerable.Repeat(silo, 4));

        Assert.All(Gaps(slots), gap => Assert.True(gap >= Spacing.TotalMicroseconds, $"two slots {gap / 1000.0:0.0} ms apart"));
        Assert.True(elapsed >= 3 * Spacing - Spacing / 2, $"four requests waited only {elapsed.TotalMilliseconds:0} ms in all");
    }

    private static async Task<(List<long> Slots, TimeSpan Elapsed)> TakeSlotsAsync(IEnumerable<NcbiRequestSlots> requests)
    {
        var clock = Stopwatch.StartNew();
        var slots = await Task.WhenAll(requests.Select(slots => slots.WaitForSlotAsync(Spacing, CancellationToken.None)));
        return ([.. slots.Order()], clock.Elapsed);
    }

    private static IEnumerable<long> Gaps(List<long> sorted) => sorted.Zip(sorted.Skip(1), (a, b) => b - a);
}
