using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Maneiro.Testing;

/// <summary>A fresh database on the real test server, migrated, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public string Name { get; } = "maneiro_t_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A postgresql:// URL for this database (the DATABASE_URL form).</summary>
    public string Url
    {
        get
        {
            var uri = new UriBuilder(TestServers.PostgresUrl) { Path = "/" + Name };
            return uri.Uri.ToString();
        }
    }

    public string ConnectionString => ConnectionUrls.ToNpgsqlConnectionString(Url);

    /// <summary>The Orleans ServiceId of clusters on this database (see <see cref="TestServers.ServiceIdFor"/>).</summary>
    public string ServiceId => TestServers.ServiceIdFor(Name);

    public async Task InitializeAsync()
    {
        await new DatabaseMigrator(ConnectionString, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
        await TestServers.DeleteRemindersAsync(ServiceId);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> audit rows match (a job's completion row is bookkeeping written after its
    /// outcome is saved and published: a client that saw the job finish can read the trail before the row is there).
    /// </summary>
    /// <param name="where">The rows to count, as a SQL condition on <c>audit_log</c>.</param>
    public Task WaitForAuditRowsAsync(string where, long count = 1) =>
        Eventually.TrueAsync(async () => await ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE {where}") == count, $"{count} audit row(s) where {where}", TimeSpan.FromSeconds(10));

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}
