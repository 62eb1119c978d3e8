using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Maneiro.Infrastructure.Audit;

public sealed record AuditRecord(long Id, DateTimeOffset At, string? UserId, string? Ip, string Action, string? Target, string Outcome, string? Details);

public sealed record AuditVerification(bool Intact, long RowsChecked, long? FirstBadRowId, string? Problem);

/// <summary>
/// The append-only, hash-chained audit trail in PostgreSQL. Details are small JSON objects of identifiers and
/// outcomes: never secrets, tokens or document contents.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource database, TimeProvider time)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    // Serializes appends so each row sees the previous row's hash. Arbitrary constant: "AUDIT" in ASCII.
    private const long ChainLockKey = 0x4155444954;

    public async Task AppendAsync(string action, string outcome, string? userId, string? ip, string? target = null, object? details = null, CancellationToken cancellationToken = default)
    {
        var at = TruncateToMicroseconds(time.GetUtcNow());
        var detailsJson = details is null ? null : JsonSerializer.Serialize(details);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({ChainLockKey})", connection, tx))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        string previous;
        await using (var last = new NpgsqlCommand("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", connection, tx))
        {
            previous = await last.ExecuteScalarAsync(cancellationToken) as string ?? Genesis;
        }

        var hash = Hash(previous, at, userId, ip, action, target, outcome, detailsJson);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO audit_log (at, user_id, ip, action, target, outcome, details, prev_hash, hash) VALUES (@at, @user, @ip, @action, @target, @outcome, @details::json, @prev, @hash)",
            connection,
            tx);
        insert.Parameters.AddWithValue("at", at);
        insert.Parameters.AddWithValue("user", (object?)userId ?? DBNull.Value);
        insert.Parameters.AddWithValue("ip", (object?)ip ?? DBNull.Value);
        insert.Parameters.AddWithValue("action", action);
        insert.Parameters.AddWithValue("target", (object?)target ?? DBNull.Value);
        insert.Parameters.AddWithValue("outcome", outcome);
        insert.Parameters.AddWithValue("details", (object?)detailsJson ?? DBNull.Value);
        insert.Parameters.AddWithValue("prev", previous);
        insert.Parameters.AddWithValue("hash", hash);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditRecord>> ForUserAsync(string userId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand(
            "SELECT id, at, user_id, ip, action, target, outcome, details::text FROM audit_log WHERE user_id = @user ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>Walks the whole chain in order and reports the first row whose hash or link does not match.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand(
            "SELECT id, at, user_id, ip, action, target, outcome, details::text, prev_hash, hash FROM audit_log ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var expectedPrevious = Genesis;
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            var id = reader.GetInt64(0);
            var at = new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero);
            var prev = reader.GetString(8);
            var stored = reader.GetString(9);
            if (prev != expectedPrevious)
            {
                return new AuditVerification(false, rows, id, $"row {id} does not follow the row before it (a row was removed or reordered)");
            }

            var computed = Hash(prev, at, Str(reader, 2), Str(reader, 3), reader.GetString(4), Str(reader, 5), reader.GetString(6), Str(reader, 7));
            if (computed != stored)
            {
                return new AuditVerification(false, rows, id, $"row {id} was modified after it was written");
            }

            expectedPrevious = stored;
        }

        return new AuditVerification(true, rows, null, null);
    }

    private static async Task<IReadOnlyList<AuditRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new AuditRecord(
                reader.GetInt64(0),
                new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero),
                Str(reader, 2),
                Str(reader, 3),
                reader.GetString(4),
                Str(reader, 5),
                reader.GetString(6),
                Str(reader, 7)));
        }

        return list;
    }

    private static string? Str(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    internal static string Hash(string previous, DateTimeOffset at, string? userId, string? ip, string action, string? target, string outcome, string? details)
    {
        var canonical = string.Join(
            '\u001f',
            previous,
            at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            userId ?? "",
            ip ?? "",
            action,
            target ?? "",
            outcome,
            details ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
