using Microsoft.Extensions.Configuration;
using Npgsql;
using StackExchange.Redis;

namespace Maneiro.Infrastructure.Configuration;

/// <summary>Typed reads of the required settings, failing fast with a message that names the setting.</summary>
public static class ManeiroSettings
{
    /// <summary>How many statements Npgsql keeps prepared per connection: our repeated ones (about 25) with room.</summary>
    public const int AutoPreparedStatements = 64;

    private const string Where = "Set it as an environment variable, in a .env file, or in Parameter Store under PARAMETER_STORE_PATH.";

    /// <summary>
    /// The database's connection string, with pooled connections handed back as they are: by default Npgsql makes
    /// the next user of a pooled connection start with <c>DISCARD ALL</c>, about a fifth of PostgreSQL's CPU per analysis
    /// (bench row 1). Nothing here leaves session state on a connection — no <c>SET</c>, <c>LISTEN</c>, temporary
    /// tables or prepared statements of its own; transactions always end (Npgsql rolls back an open one when a
    /// connection returns); the migrator's session lock is released in a <c>finally</c> — and
    /// <c>PooledConnectionStateTests</c> checks that. The statements every analysis repeats (grain state reads and
    /// writes, audit appends, the job and fingerprint indexes) are prepared by Npgsql on each connection once used a
    /// few times, so PostgreSQL stops parsing and planning them anew (bench row 2: about a fifth of its CPU per
    /// analysis). A connection string that sets <c>Max Auto Prepare</c> itself keeps its value (0 behind a pooler in
    /// transaction mode, which cannot keep prepared statements).
    /// </summary>
    public static string PostgresConnectionString(this IConfiguration configuration)
    {
        var given = ConnectionUrls.ToNpgsqlConnectionString(Required(configuration, SecretSettings.DatabaseUrl));
        var builder = new NpgsqlConnectionStringBuilder(given) { NoResetOnClose = true };
        // Npgsql's builder knows every keyword; the plain one says which were given (under Npgsql's own names).
        if (!new System.Data.Common.DbConnectionStringBuilder { ConnectionString = given }.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = AutoPreparedStatements;
        }

        return builder.ConnectionString;
    }

    public static string RedisConfiguration(this IConfiguration configuration) =>
        ConnectionUrls.ToRedisConfiguration(Required(configuration, SecretSettings.RedisUrl));

    /// <summary>
    /// Options for every Redis connection of a process (ours, Orleans' clustering and reminders). Their socket I/O runs
    /// on the .NET thread pool instead of the client's shared pool of dedicated threads, which on a small machine woke
    /// a thread of its own for each command's read and write (bench: a tenth of the app's sampled CPU in its work loop).
    /// </summary>
    public static ConfigurationOptions RedisOptions(this IConfiguration configuration)
    {
        var options = ConfigurationOptions.Parse(configuration.RedisConfiguration());
        options.SocketManager = SocketManager.ThreadPool;
        return options;
    }

    public static string Required(this IConfiguration configuration, string key)
    {
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? throw new MissingSettingException(key, Where) : value;
    }
}
