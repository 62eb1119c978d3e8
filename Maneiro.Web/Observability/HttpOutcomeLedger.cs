using System.Globalization;
using StackExchange.Redis;

namespace Maneiro.Web.Observability;

/// <summary>
/// Requests and 5xx answers per hour in Redis (shared by every web instance, kept 32 days), so the admin page can
/// show the API error rate over 24 hours and 30 days. Fire-and-forget: counting never slows or fails a request.
/// </summary>
public sealed class HttpOutcomeLedger(IConnectionMultiplexer redis, TimeProvider time, Microsoft.Extensions.Options.IOptions<MetricsOptions> options)
{
    private static readonly TimeSpan Keep = TimeSpan.FromDays(32);

    private RedisKey Key(DateTimeOffset hour) => options.Value.KeyPrefix + hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public void Record(int status)
    {
        try
        {
            var db = redis.GetDatabase();
            var key = Key(time.GetUtcNow());
            db.HashIncrement(key, "requests", 1, CommandFlags.FireAndForget);
            if (status >= 500)
            {
                db.HashIncrement(key, "errors", 1, CommandFlags.FireAndForget);
            }

            db.KeyExpire(key, Keep, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Redis is away: the request is answered anyway, and this hour's count is a little low.
        }
    }

    /// <summary>Requests and server errors over the last <paramref name="hours"/> hours, this one included.</summary>
    public async Task<(long Requests, long Errors)> TotalsAsync(int hours)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow();
        var batch = db.CreateBatch();
        var reads = Enumerable.Range(0, hours).Select(h => batch.HashGetAsync(Key(now.AddHours(-h)), ["requests", "errors"])).ToList();
        batch.Execute();
        long requests = 0, errors = 0;
        foreach (var values in await Task.WhenAll(reads))
        {
            requests += (long?)values[0] ?? 0;
            errors += (long?)values[1] ?? 0;
        }

        return (requests, errors);
    }
}
