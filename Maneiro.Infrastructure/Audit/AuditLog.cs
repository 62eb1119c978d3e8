using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Maneiro.Infrastructure.Audit;

public sealed record AuditRecord(long Id, DateTimeOffset At, string? UserId, string? Ip, string Action, string? Target, string Outcome, string? Details, string? ClinicId = null);

/// <summary>What an audit page asks for: one clinic's rows (or one member's), narrowed by member, action and dates.</summary>
public sealed record AuditQuery(string? ClinicId, string? UserId, string? Action, DateTimeOffset? From, DateTimeOffset? Until, int Limit);

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

    /// <summary>The row format new rows are written in: 2 covers the clinic in the hash; 1 (rows written before clinics) did not.</summary>
    public const int CurrentFormat = 2;

    public async Task AppendAsync(string action, string outcome, string? userId, string? ip, string? target = null, object? details = null, string? clinicId = null, CancellationToken cancellationToken = default)
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

        var hash = Hash(CurrentFormat, previous, at, userId, ip, action, target, outcome, detailsJson, clinicId);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO audit_log (at, user_id, ip, action, target, outcome, details, prev_hash, hash, clinic_id, format) VALUES (@at, @user, @ip, @action, @target, @outcome, @details::json, @prev, @hash, @clinic, @format)",
            connection,
            tx);
        insert.Parameters.AddWithValue("clinic", (object?)clinicId ?? DBNull.Value);
        insert.Parameters.AddWithValue("format", (short)CurrentFormat);
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
            "SELECT id, at, user_id, ip, action, target, outcome, details::text, clinic_id FROM audit_log WHERE user_id = @user ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>The newest rows of one action about one target (e.g. an analysis's sends to the health record).</summary>
    public async Task<IReadOnlyList<AuditRecord>> ForTargetAsync(string action, string target, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand(
            "SELECT id, at, user_id, ip, action, target, outcome, details::text, clinic_id FROM audit_log WHERE action = @action AND target = @target ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("target", target);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>Rows of one clinic and/or one member, newest first; every filter is a parameter.</summary>
    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        if (query.ClinicId is null && query.UserId is null)
        {
            throw new ArgumentException("An audit query names a clinic or a member.", nameof(query));
        }

        await using var command = database.CreateCommand(
            "SELECT id, at, user_id, ip, action, target, outcome, details::text, clinic_id FROM audit_log " +
            "WHERE (@clinic::text IS NULL OR clinic_id = @clinic) AND (@user::text IS NULL OR user_id = @user) AND (@action::text IS NULL OR action = @action) " +
            "AND (@from::timestamptz IS NULL OR at >= @from) AND (@until::timestamptz IS NULL OR at < @until) ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("clinic", (object?)query.ClinicId ?? DBNull.Value);
        command.Parameters.AddWithValue("user", (object?)query.UserId ?? DBNull.Value);
        command.Parameters.AddWithValue("action", (object?)query.Action ?? DBNull.Value);
        command.Parameters.AddWithValue("from", (object?)query.From?.UtcDateTime ?? DBNull.Value);
        command.Parameters.AddWithValue("until", (object?)query.Until?.UtcDateTime ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", query.Limit);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>Walks the whole chain in order and reports the first row whose hash or link does not match.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand(
            "SELECT id, at, user_id, ip, action, target, outcome, details::text, prev_hash, hash, clinic_id, format FROM audit_log ORDER BY id");
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

            var computed = Hash(reader.GetInt16(11), prev, at, Str(reader, 2), Str(reader, 3), reader.GetString(4), Str(reader, 5), reader.GetString(6), Str(reader, 7), Str(reader, 10));
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
                Str(reader, 7),
                Str(reader, 8)));
        }

        return list;
    }

    private static string? Str(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>
    /// A row's hash in its format: format 1 over the fields rows had before clinics; format 2 adds the clinic and starts
    /// with the format, so a row cannot be passed off as the other format. Unknown formats never verify.
    /// </summary>
    internal static string Hash(int format, string previous, DateTimeOffset at, string? userId, string? ip, string action, string? target, string outcome, string? details, string? clinicId) => format switch
    {
        1 => Hash(previous, at, userId, ip, action, target, outcome, details),
        2 => Digest(string.Join('\u001f', "v2", Hash(previous, at, userId, ip, action, target, outcome, details), clinicId ?? "")),
        _ => "",
    };

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
        return Digest(canonical);
    }

    private static string Digest(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
}
