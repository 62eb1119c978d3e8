using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Maneiro.Infrastructure.Database;

/// <summary>
/// Applies the SQL migrations embedded in this assembly (plus any the web app registers, such as Identity's),
/// each once, in name order, under a PostgreSQL advisory lock so instances starting together take turns.
/// </summary>
public sealed partial class DatabaseMigrator(string connectionString, ILogger<DatabaseMigrator> logger)
{
    // Arbitrary constant shared by every Maneiro process: "MANEIRO" in ASCII.
    private const long AdvisoryLockKey = 0x4D414E4549524F;
    private const string ResourcePrefix = "Maneiro.Migrations.";

    public static IReadOnlyList<Migration> EmbeddedMigrations { get; } = LoadEmbedded(typeof(DatabaseMigrator).Assembly);

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await EnsureDatabaseExistsAsync(cancellationToken);
        var migrations = EmbeddedMigrations.OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
        var applied = new List<string>();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(
                connection,
                null,
                "CREATE TABLE IF NOT EXISTS maneiro_schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                cancellationToken);
            var done = await AppliedAsync(connection, cancellationToken);
            foreach (var migration in migrations.Where(m => !done.Contains(m.Id)))
            {
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, tx, migration.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO maneiro_schema_migrations (id) VALUES (@id)", connection, tx))
                {
                    record.Parameters.AddWithValue("id", migration.Id);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
                LogApplied(migration.Id);
                applied.Add(migration.Id);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }

        return applied;
    }

    /// <summary>Creates the database named in the connection string when the server is reachable but the database is not there yet.</summary>
    private async Task EnsureDatabaseExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = new NpgsqlConnection(connectionString);
            await probe.OpenAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var database = builder.Database!;
            builder.Database = "postgres";
            await using var admin = new NpgsqlConnection(builder.ConnectionString);
            await admin.OpenAsync(cancellationToken);
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            try
            {
                await ExecuteAsync(admin, null, $"CREATE DATABASE {quoted}", cancellationToken);
                LogCreatedDatabase(database);
            }
            catch (PostgresException race) when (race.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // Another instance created it first (a simultaneous CREATE DATABASE reports a unique violation).
            }
        }
    }

    private static async Task<HashSet<string>> AppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand("SELECT id FROM maneiro_schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> LoadEmbedded(Assembly assembly)
    {
        var list = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(name[ResourcePrefix.Length..^".sql".Length], reader.ReadToEnd()));
        }

        return list;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied database migration {MigrationId}")]
    private partial void LogApplied(string migrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created database {Database}")]
    private partial void LogCreatedDatabase(string database);
}

public sealed record Migration(string Id, string Sql);
