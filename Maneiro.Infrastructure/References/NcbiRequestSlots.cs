using StackExchange.Redis;

namespace Maneiro.Infrastructure.References;

/// <summary>
/// Hands out E-utilities request times so that every process of one deployment together keeps to NCBI's rate (3 a
/// second, 10 with an API key): each request reserves the next free slot in Redis (by Redis's clock, so silos with
/// skewed clocks agree) and waits for it. Without Redis at hand it spaces this process's requests only.
/// </summary>
public sealed class NcbiRequestSlots(IConnectionMultiplexer? redis, string key, TimeProvider time)
{
    // The slot after the latest one taken, in microseconds of the server's clock: take max(now, next), move next on.
    // Integers, not tostring (which gives 14 significant digits); a Lua number holds microseconds exactly.
    private const string ReserveScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local next = tonumber(redis.call('GET', KEYS[1]) or '0')
        local at = math.max(now, next)
        redis.call('SET', KEYS[1], string.format('%d', at + tonumber(ARGV[1])), 'PX', 60000)
        return { at, at - now }
        """;

    private readonly Lock _localLock = new();
    private DateTimeOffset _nextLocal = DateTimeOffset.MinValue;

    /// <summary>
    /// Waits until this request's slot, <paramref name="spacing"/> after the one before it anywhere in the deployment.
    /// Returns the slot, in microseconds on the clock that handed it out (Redis's, or this process's without Redis).
    /// </summary>
    public async Task<long> WaitForSlotAsync(TimeSpan spacing, CancellationToken cancellationToken)
    {
        var (slot, wait) = await ReserveAsync(spacing);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }

        return slot;
    }

    private async Task<(long Slot, TimeSpan Wait)> ReserveAsync(TimeSpan spacing)
    {
        if (redis is not null)
        {
            try
            {
                var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, [key], [(long)(spacing.TotalMilliseconds * 1000)]))!;
                return ((long)reply[0], TimeSpan.FromMicroseconds((long)reply[1]));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis is away: keep this process's own spacing rather than fail the analysis's references.
            }
        }

        lock (_localLock)
        {
            var now = time.GetUtcNow();
            var at = now > _nextLocal ? now : _nextLocal;
            _nextLocal = at + spacing;
            return ((at - DateTimeOffset.UnixEpoch).Ticks / 10, at - now);
        }
    }
}
