using System.Net;
using System.Net.Sockets;

namespace Maneiro.Testing;

/// <summary>The real PostgreSQL and Redis that ./test starts (or that the caller points at).</summary>
public static class TestServers
{
    public static string PostgresUrl => Require("MANEIRO_TEST_DATABASE_URL");

    public static string RedisUrl => Require("MANEIRO_TEST_REDIS_URL");

    /// <summary>A fixed test secret (blob encryption key material); never a production value.</summary>
    public const string SecretKey = "test-secret-key-not-for-production";

    /// <summary>Where test processes keep encrypted uploads.</summary>
    public static string BlobRoot { get; } = Path.Combine(Path.GetTempPath(), "maneiro-test-blobs");

    /// <summary>
    /// The pdftext-server ./test builds (scripts/lib.sh, build_native) under .local/bin: test apps parse PDFs through
    /// it, as deployed apps do. A missing build fails the first PDF a test parses, with the path in the message.
    /// </summary>
    public static string PdfTextServerPath => Path.Combine(RepositoryRoot, ".local", "bin", "pdftext-server");

    /// <summary>The repository root, found by walking up to Maneiro.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// The Orleans ServiceId of the test cluster(s) on one test database: every process on that database (a silo and
    /// its client, an app and its restart) agrees on it, and no other test shares it. Orleans keys both the Redis
    /// reminder table and the stored grain state by ServiceId (Maneiro its unfinished-job list too), so clusters
    /// sharing one would wake (and delete) each other's jobs against the wrong database.
    /// </summary>
    public static string ServiceIdFor(string databaseUrl) =>
        "maneiro-test-" + (databaseUrl.Contains("://", StringComparison.Ordinal) ? new Uri(databaseUrl).AbsolutePath.Trim('/') : databaseUrl);

    /// <summary>
    /// Removes the Redis reminder table and unfinished-job list of a test ServiceId. Membership keys are left alone:
    /// they are per cluster id, and a silo still shutting down writes its own entry.
    /// </summary>
    public static async Task DeleteRemindersAsync(string serviceId)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Maneiro.Infrastructure.Configuration.ConnectionUrls.ToRedisConfiguration(RedisUrl));
        await redis.GetDatabase().KeyDeleteAsync([serviceId + "/reminders", Maneiro.Infrastructure.Pipeline.RedisUnfinishedJobs.KeyOf(serviceId)]);
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set. Run the tests with ./test, which starts PostgreSQL and Redis and sets it.");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Maneiro.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Could not find Maneiro.sln above the test binaries.");
    }
}
