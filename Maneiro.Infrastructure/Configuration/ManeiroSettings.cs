using Microsoft.Extensions.Configuration;
using Npgsql;
using StackExchange.Redis;

namespace Maneiro.Infrastructure.Configuration;

/// <summary>Typed reads of the required settings, failing fast with a message that names the setting.</summary>
public static class ManeiroSettings
{
    private const string Where = "Set it as an environment variable, in a .env file, or in Parameter Store under PARAMETER_STORE_PATH.";

    /// <summary>
    /// The database's connection string, with pooled connections handed back as they are: by default Npgsql makes
    /// the next user of a pooled connection start with <c>DISCARD ALL</c>, about a fifth of PostgreSQL's CPU per analysis
    /// (bench row 1). Nothing here leaves session state on a connection — no <c>SET</c>, <c>LISTEN</c>,
    /// temporary tables or prepared statements; transactions always end (Npgsql rolls back an open one when a
    /// connection returns); the migrator's session lock is released in a <c>finally</c> — and
    /// <c>PooledConnectionStateTests</c> checks that.
    /// </summary>
    public static string PostgresConnectionString(this IConfiguration configuration) =>
        new NpgsqlConnectionStringBuilder(ConnectionUrls.ToNpgsqlConnectionString(Required(configuration, SecretSettings.DatabaseUrl)))
        {
            NoResetOnClose = true,
        }.ConnectionString;

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
