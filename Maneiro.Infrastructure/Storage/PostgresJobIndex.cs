using Maneiro.Grains;
using Npgsql;

namespace Maneiro.Infrastructure.Storage;

/// <summary>
/// The job index table (migration 0010): adding or removing a job is one row, whatever the list's length. Driver
/// failures reach the grain as <see cref="StorageUnavailableException"/> (<see cref="GrainStorage.ReachAsync"/>).
/// </summary>
public sealed class PostgresJobIndex(NpgsqlDataSource database) : IJobIndexStore
{
    public Task AddAsync(string indexKey, IReadOnlyList<(string JobId, DateTimeOffset CreatedAt)> entries) =>
        GrainStorage.ReachAsync(async () =>
        {
            // WITH ORDINALITY keeps the given order in seq (a list moved from grain state keeps its ties' order).
            await using var command = database.CreateCommand(
                "INSERT INTO job_index (index_key, job_id, created_at) " +
                "SELECT $1, e.job_id, e.created_at FROM unnest($2::text[], $3::timestamptz[]) WITH ORDINALITY AS e(job_id, created_at, n) ORDER BY e.n " +
                "ON CONFLICT (index_key, job_id) DO NOTHING");
            command.Parameters.Add(new NpgsqlParameter { Value = indexKey });
            command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.JobId).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.CreatedAt.UtcDateTime).ToArray() });
            return await command.ExecuteNonQueryAsync();
        });

    public Task RemoveAsync(string indexKey, string jobId) =>
        GrainStorage.ReachAsync(async () =>
        {
            await using var command = database.CreateCommand("DELETE FROM job_index WHERE index_key = $1 AND job_id = $2");
            command.Parameters.Add(new NpgsqlParameter { Value = indexKey });
            command.Parameters.Add(new NpgsqlParameter { Value = jobId });
            return await command.ExecuteNonQueryAsync();
        });

    public Task<IReadOnlyList<string>> PageAsync(string indexKey, int skip, int take) =>
        GrainStorage.ReachAsync<IReadOnlyList<string>>(async () =>
        {
            await using var command = database.CreateCommand("SELECT job_id FROM job_index WHERE index_key = $1 ORDER BY created_at DESC, seq OFFSET $2 LIMIT $3");
            command.Parameters.Add(new NpgsqlParameter { Value = indexKey });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)Math.Max(0, skip) });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)Math.Max(0, take) });
            await using var reader = await command.ExecuteReaderAsync();
            var ids = new List<string>();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        });

    public Task<int> CountAsync(string indexKey) =>
        GrainStorage.ReachAsync(async () =>
        {
            await using var command = database.CreateCommand("SELECT count(*) FROM job_index WHERE index_key = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = indexKey });
            return (int)(long)(await command.ExecuteScalarAsync())!;
        });
}
