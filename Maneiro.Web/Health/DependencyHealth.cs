using Maneiro.Grains.Interfaces;
using Npgsql;
using StackExchange.Redis;

namespace Maneiro.Web.Health;

public sealed record HealthReport(bool Healthy, IReadOnlyDictionary<string, string> Checks)
{
    public IEnumerable<string> Failing => Checks.Where(c => c.Value != "ok").Select(c => c.Key);
}

/// <summary>Asks each part the app depends on for a real answer, each bounded by a timeout.</summary>
public sealed partial class DependencyHealth(
    NpgsqlDataSource database,
    IConnectionMultiplexer redis,
    IClusterClient cluster,
    ILogger<DependencyHealth> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(
            Run("postgres", async ct =>
            {
                await using var command = database.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(ct);
            }, cancellationToken),
            Run("redis", async _ => await redis.GetDatabase().PingAsync(), cancellationToken),
            Run("orleans", async _ => await cluster.GetGrain<IClusterProbeGrain>(0).Ping(), cancellationToken));
        var map = checks.ToDictionary(c => c.Name, c => c.Result, StringComparer.Ordinal);
        return new HealthReport(map.Values.All(v => v == "ok"), map);
    }

    private async Task<(string Name, string Result)> Run(string name, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(Timeout);
        try
        {
            await probe(cts.Token).WaitAsync(cts.Token);
            return (name, "ok");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogProbeFailed(name, ex.GetType().Name);
            return (name, ex is OperationCanceledException ? "timeout" : "unavailable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health probe {Probe} failed: {ErrorType}")]
    private partial void LogProbeFailed(string probe, string errorType);
}
