using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Maneiro.Infrastructure.Audit;

/// <summary>One row of <see cref="AuditLog.AppendTogetherAsync"/>: what was done, how it ended, to what, with which details.</summary>
public sealed record AuditEntry(string Action, string Outcome, string? Target = null, object? Details = null);

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
    internal const long ChainLockKey = 0x4155444954;

    /// <summary>The row format new rows are written in: 2 covers the clinic in the hash; 1 (rows written before clinics) did not.</summary>
    public const int CurrentFormat = 2;

    // Appends waiting for this process's writer, and whether the writer is running. Each row links to the row before it,
    // so appends are serial; one transaction (one chain lock, one commit) writes every append waiting at that moment
    // instead of one transaction each.
    private readonly Lock _queueLock = new();
    private readonly List<PendingAppend> _queue = [];
    private bool _writing;

    /// <summary>The most rows one transaction writes.</summary>
    internal const int MaxRowsPerTransaction = 64;

    /// <summary>
    /// Appends a row, and completes once it is committed. The row joins this process's queue; the writer takes every
    /// row waiting into one transaction under the chain lock. A transaction the server refuses is retried row by row, so
    /// a row PostgreSQL refuses fails only its own append (an unreachable database fails them all at once). Once queued
    /// the row is written: a cancelled caller only stops waiting.
    /// </summary>
    public Task AppendAsync(string action, string outcome, string? userId, string? ip, string? target = null, object? details = null, string? clinicId = null, CancellationToken cancellationToken = default) =>
        AppendTogetherAsync([new AuditEntry(action, outcome, target, details)], userId, ip, clinicId, cancellationToken);

    /// <summary>
    /// Appends rows by one actor about one moment (an upload and the analysis it started), in order, and completes once
    /// all are committed. They join the queue together, so the writer takes them into the same transaction (unless they
    /// fall on the boundary of its row limit): one chain lock and one commit where separate appends, each awaited, took two.
    /// </summary>
    public Task AppendTogetherAsync(IReadOnlyList<AuditEntry> entries, string? userId, string? ip, string? clinicId = null, CancellationToken cancellationToken = default)
    {
        var at = TruncateToMicroseconds(time.GetUtcNow());
        var pending = entries
            .Select(e => new PendingAppend(
                new AuditRow(at, userId, ip, e.Action, e.Target, e.Outcome, e.Details is null ? null : JsonSerializer.Serialize(e.Details), clinicId),
                new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)))
            .ToList();
        bool startWriter;
        lock (_queueLock)
        {
            _queue.AddRange(pending);
            startWriter = !_writing;
            _writing = true;
        }

        if (startWriter)
        {
            _ = Task.Run(WriteQueuedAsync, CancellationToken.None);
        }

        return Task.WhenAll(pending.Select(p => p.Written.Task)).WaitAsync(cancellationToken);
    }

    private async Task WriteQueuedAsync()
    {
        while (true)
        {
            List<PendingAppend> batch;
            lock (_queueLock)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = _queue[..Math.Min(_queue.Count, MaxRowsPerTransaction)];
                _queue.RemoveRange(0, batch.Count);
            }

            try
            {
                await WriteAsync(batch);
                batch.ForEach(p => p.Written.TrySetResult());
            }
            catch (PostgresException) when (batch.Count > 1)
            {
                // The server refused a statement: one refused row must not fail the others, so write each alone.
                foreach (var pending in batch)
                {
                    await WriteAloneAsync(pending);
                }
            }
            catch (Exception ex)
            {
                // The database could not be reached or the row was refused: every append of the transaction fails.
                batch.ForEach(p => p.Written.TrySetException(ex));
            }
        }
    }

    private async Task WriteAloneAsync(PendingAppend pending)
    {
        try
        {
            await WriteAsync([pending]);
            pending.Written.TrySetResult();
        }
        catch (Exception ex)
        {
            pending.Written.TrySetException(ex);
        }
    }

    private async Task WriteAsync(List<PendingAppend> batch)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();

        // The lock and the chain's last hash in one round trip: the statements run in order, so the hash is read once
        // the lock is held. (Three round trips under the lock instead of four: the lock is the cluster's ceiling.)
        string previous;
        await using (var head = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({ChainLockKey})"),
                new NpgsqlBatchCommand("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"),
            },
        })
        {
            await using var reader = await head.ExecuteReaderAsync();
            await reader.NextResultAsync();
            previous = await reader.ReadAsync() && !reader.IsDBNull(0) ? reader.GetString(0) : Genesis;
        }

        // One round trip for the rows, in queue order, each linked to the one before it.
        await using var inserts = new NpgsqlBatch(connection, tx);
        foreach (var (row, _) in batch)
        {
            var hash = Hash(CurrentFormat, previous, row.At, row.UserId, row.Ip, row.Action, row.Target, row.Outcome, row.DetailsJson, row.ClinicId);
            var insert = new NpgsqlBatchCommand(
                "INSERT INTO audit_log (at, user_id, ip, action, target, outcome, details, prev_hash, hash, clinic_id, format) VALUES (@at, @user, @ip, @action, @target, @outcome, @details::json, @prev, @hash, @clinic, @format)");
            insert.Parameters.AddWithValue("clinic", (object?)row.ClinicId ?? DBNull.Value);
            insert.Parameters.AddWithValue("format", (short)CurrentFormat);
            insert.Parameters.AddWithValue("at", row.At);
            insert.Parameters.AddWithValue("user", (object?)row.UserId ?? DBNull.Value);
            insert.Parameters.AddWithValue("ip", (object?)row.Ip ?? DBNull.Value);
            insert.Parameters.AddWithValue("action", row.Action);
            insert.Parameters.AddWithValue("target", (object?)row.Target ?? DBNull.Value);
            insert.Parameters.AddWithValue("outcome", row.Outcome);
            insert.Parameters.AddWithValue("details", (object?)row.DetailsJson ?? DBNull.Value);
            insert.Parameters.AddWithValue("prev", previous);
            insert.Parameters.AddWithValue("hash", hash);
            inserts.BatchCommands.Add(insert);
            previous = hash;
        }

        await inserts.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    private sealed record AuditRow(DateTimeOffset At, string? UserId, string? Ip, string Action, string? Target, string Outcome, string? DetailsJson, string? ClinicId);

    private sealed record PendingAppend(AuditRow Row, TaskCompletionSource Written);

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
