using System.Globalization;
using Maneiro.Infrastructure.Audit;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Maneiro.Web.Security;

/// <summary>
/// Unauthenticated refusals (429s, forged or stale webhooks) are counted, not written one by one: the audit log is
/// append-only and serialised, so a flood would become a denial of service. Each source's refusals of one kind are
/// counted in Redis per window, and one summary row is appended when the window has closed (by whichever instance
/// claims it first).
/// </summary>
public sealed partial class RefusalLedger(IConnectionMultiplexer redis, AuditLog audit, IOptions<SecurityOptions> options, TimeProvider time, ILogger<RefusalLedger> logger) : BackgroundService
{
    private SecurityOptions Options => options.Value;

    private string Pending => $"{Options.RateLimits.KeyPrefix}:refusals:pending";

    /// <summary>Counts one refusal of <paramref name="action"/> from <paramref name="source"/>; never throws (a refusal must not fail on bookkeeping).</summary>
    public async Task CountAsync(string action, string? source, string target)
    {
        var window = WindowStart(time.GetUtcNow());
        var member = string.Join('|', action, source ?? "unknown", window.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), target);
        try
        {
            var database = redis.GetDatabase();
            if (await database.StringIncrementAsync(CountKey(member)) == 1)
            {
                await database.KeyExpireAsync(CountKey(member), Options.RefusalWindow * 10);
                await database.SetAddAsync(Pending, member);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogCountFailed(ex.GetType().Name);
        }
    }

    /// <summary>Appends the summary row of every window that has closed; returns how many rows were written.</summary>
    public async Task<int> FlushClosedWindowsAsync(CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var current = WindowStart(time.GetUtcNow());
        var written = 0;
        foreach (var value in await database.SetMembersAsync(Pending))
        {
            var member = value.ToString();
            var parts = member.Split('|', 4);
            var start = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[2], CultureInfo.InvariantCulture));
            if (start >= current || !await database.SetRemoveAsync(Pending, member))
            {
                // Still open, or another instance claimed it.
                continue;
            }

            var count = (long?)await database.StringGetDeleteAsync(CountKey(member)) ?? 0;
            await audit.AppendAsync(parts[0], AuditOutcomes.Denied, null, parts[1] == "unknown" ? null : parts[1], parts[3], new { refusals = count, from = start, to = start + Options.RefusalWindow }, cancellationToken: cancellationToken);
            written++;
        }

        return written;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Options.RefusalWindow / 2, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FlushClosedWindowsAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or Npgsql.NpgsqlException)
            {
                LogFlushFailed(ex.GetType().Name);
            }
        }
    }

    private DateTimeOffset WindowStart(DateTimeOffset now)
    {
        var ticks = Options.RefusalWindow.Ticks;
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % ticks), TimeSpan.Zero);
    }

    private string CountKey(string member) => $"{Options.RateLimits.KeyPrefix}:refusals:count:{member}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refusal could not be counted: {ErrorType}")]
    private partial void LogCountFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refusal summaries could not be written yet: {ErrorType}")]
    private partial void LogFlushFailed(string errorType);
}
