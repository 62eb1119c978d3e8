using Npgsql;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>What the inbox table asks for: one clinic's items, optionally filtered.</summary>
public sealed record InboxQuery(
    string ClinicId,
    IntakeStatus? Status = null,
    IntakeKind? Kind = null,
    IntakeUrgency? Urgency = null,
    string? AssignedTo = null,
    bool Unassigned = false,
    string? Patient = null,
    int Limit = 200);

/// <summary>
/// The inbox index in PostgreSQL (migration 0008): written by the item grains, read by the inbox page. Sorted as the
/// inbox shows it: open items before done ones, stat and urgent first, oldest first within an urgency.
/// </summary>
public sealed class PostgresIntakeIndex(NpgsqlDataSource database) : IIntakeIndex
{
    public async Task SaveAsync(IntakeIndexRow row, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "INSERT INTO intake_items (clinic_id, item_id, created_at, updated_at, status, kind, urgency, patient_name, patient_dob, sender, assigned_to, file_name, uploaded_by, error) " +
            "VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) " +
            "ON CONFLICT (clinic_id, item_id) DO UPDATE SET updated_at = now(), status = excluded.status, kind = excluded.kind, urgency = excluded.urgency, " +
            "patient_name = excluded.patient_name, patient_dob = excluded.patient_dob, sender = excluded.sender, assigned_to = excluded.assigned_to, error = excluded.error");
        command.Parameters.Add(new NpgsqlParameter { Value = row.ClinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = row.ItemId });
        command.Parameters.Add(new NpgsqlParameter { Value = row.CreatedAt.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)row.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Kind is { } kind ? (short)kind : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Smallint });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Urgency is { } urgency ? (short)urgency : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Smallint });
        command.Parameters.Add(new NpgsqlParameter { Value = row.PatientName });
        command.Parameters.Add(new NpgsqlParameter { Value = row.PatientDateOfBirth });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Sender });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)row.AssignedTo ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = row.FileName });
        command.Parameters.Add(new NpgsqlParameter { Value = row.UploadedBy });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)row.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<IntakeIndexRow>> QueryAsync(InboxQuery query, CancellationToken cancellationToken)
    {
        var sql = new System.Text.StringBuilder("SELECT clinic_id, item_id, created_at, status, kind, urgency, patient_name, patient_dob, sender, assigned_to, file_name, uploaded_by, error FROM intake_items WHERE clinic_id = $1");
        var parameters = new List<NpgsqlParameter> { new() { Value = query.ClinicId } };
        void Where(string condition, object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            sql.Append(" AND ").Append(condition.Replace("?", "$" + parameters.Count, StringComparison.Ordinal));
        }

        if (query.Status is { } status)
        {
            Where("status = ?", (short)status);
        }

        if (query.Kind is { } kind)
        {
            Where("kind = ?", (short)kind);
        }

        if (query.Urgency is { } urgency)
        {
            Where("urgency = ?", (short)urgency);
        }

        if (query.Unassigned)
        {
            sql.Append(" AND assigned_to IS NULL");
        }
        else if (query.AssignedTo is { Length: > 0 } assigned)
        {
            Where("assigned_to = ?", assigned);
        }

        if (query.Patient?.Trim() is { Length: > 0 } patient)
        {
            // A search, not a pattern: the user's % and _ are plain characters.
            var escaped = patient.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            Where("(patient_name ILIKE ? OR patient_dob ILIKE $" + (parameters.Count + 1) + ")", "%" + escaped + "%");
        }

        sql.Append(" ORDER BY (status = 3), urgency NULLS FIRST, created_at LIMIT ").Append(Math.Clamp(query.Limit, 1, 500));
        await using var command = database.CreateCommand(sql.ToString());
        command.Parameters.AddRange(parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<IntakeIndexRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new IntakeIndexRow(
                reader.GetString(0),
                reader.GetString(1),
                new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero),
                (IntakeStatus)reader.GetInt16(3),
                reader.IsDBNull(4) ? null : (IntakeKind)reader.GetInt16(4),
                reader.IsDBNull(5) ? null : (IntakeUrgency)reader.GetInt16(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetString(10),
                reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetString(12)));
        }

        return rows;
    }

    public async Task RemoveAsync(string clinicId, string itemId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("DELETE FROM intake_items WHERE clinic_id = $1 AND item_id = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = clinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = itemId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ReceivedBeforeAsync(string clinicId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT item_id FROM intake_items WHERE clinic_id = $1 AND created_at < $2 ORDER BY created_at");
        command.Parameters.Add(new NpgsqlParameter { Value = clinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = cutoff.UtcDateTime });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Removes every row of a clinic (its deletion, or a retention sweep that removed its items).</summary>
    public async Task<int> PurgeClinicAsync(string clinicId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("DELETE FROM intake_items WHERE clinic_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = clinicId });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
