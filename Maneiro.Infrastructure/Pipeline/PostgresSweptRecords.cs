using Npgsql;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>The sweeper's notes in PostgreSQL (migration 0009); read by pages to explain a swept record.</summary>
public sealed class PostgresSweptRecords(NpgsqlDataSource database) : ISweptRecords
{
    public async Task RecordAsync(SweptRecord record, CancellationToken cancellationToken)
    {
        // A record noted again (a resumed sweep) keeps its first note.
        await using var command = database.CreateCommand("INSERT INTO swept_records (record_id, kind, clinic_id, sweep_id, swept_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (record_id) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = record.RecordId });
        command.Parameters.Add(new NpgsqlParameter { Value = record.Kind });
        command.Parameters.Add(new NpgsqlParameter { Value = record.ClinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = record.SweepId });
        command.Parameters.Add(new NpgsqlParameter { Value = record.SweptAt.UtcDateTime });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(string sweepId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT kind, count(*)::int FROM swept_records WHERE sweep_id = $1 GROUP BY kind");
        command.Parameters.Add(new NpgsqlParameter { Value = sweepId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    /// <summary>The note of a swept record, when the record with this id was swept.</summary>
    public async Task<SweptRecord?> FindAsync(string recordId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT record_id, kind, clinic_id, sweep_id, swept_at FROM swept_records WHERE record_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = recordId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SweptRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero))
            : null;
    }
}
