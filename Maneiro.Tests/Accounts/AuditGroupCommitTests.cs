using Maneiro.Infrastructure.Audit;
using Maneiro.Testing;
using Npgsql;

namespace Maneiro.Tests.Accounts;

/// <summary>
/// Audit rows are chained, so appends are serial under one lock. Appends that wait while a transaction holds it are
/// written together in the next transaction (one lock, one commit), not one transaction each; a row the server refuses
/// fails only its own append, and the chain stays intact.
/// </summary>
public sealed class AuditGroupCommitTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Appends_waiting_for_the_chain_lock_are_written_in_one_transaction()
    {
        await using var source = NpgsqlDataSource.Create(_database.ConnectionString);
        var audit = new AuditLog(source, TimeProvider.System);

        var appends = await WhileTheChainIsLockedAsync(source, () => Enumerable.Range(1, 9)
            .Select(i => audit.AppendAsync(AuditActions.Upload, AuditOutcomes.Success, "user-1", "10.0.0.1", $"job-{i}"))
            .ToList(), audit);
        await Task.WhenAll(appends);

        // The first append waited for the lock alone; the nine queued behind it share the next transaction.
        Assert.Equal(10, await _database.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal(2, await _database.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM audit_log"));
        Assert.Equal(1, await _database.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM audit_log WHERE target LIKE 'job-%'"));
        var verified = await audit.VerifyAsync();
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(10, verified.RowsChecked);

        // In the order they were appended.
        var targets = new List<string>();
        await using (var read = source.CreateCommand("SELECT target FROM audit_log WHERE target LIKE 'job-%' ORDER BY id"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                targets.Add(reader.GetString(0));
            }
        }

        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"job-{i}"), targets);
    }

    [Fact]
    public async Task Rows_appended_together_share_one_transaction_in_their_order()
    {
        await using var source = NpgsqlDataSource.Create(_database.ConnectionString);
        var audit = new AuditLog(source, TimeProvider.System);

        await audit.AppendAsync(AuditActions.Login, AuditOutcomes.Success, "user-1", "10.0.0.1");
        await audit.AppendTogetherAsync(
            [new(AuditActions.Upload, AuditOutcomes.Success, "job-1", new { bytes = 10 }), new(AuditActions.JobStarted, AuditOutcomes.Success, "job-1")],
            "user-1",
            "10.0.0.1",
            "clinic-1");

        Assert.Equal(1, await _database.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM audit_log WHERE target = 'job-1'"));
        Assert.Equal(2, await _database.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM audit_log"));
        Assert.Equal("job.upload,job.started", await _database.ScalarAsync<string>("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE target = 'job-1'"));
        Assert.Equal(2, await _database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE target = 'job-1' AND user_id = 'user-1' AND ip = '10.0.0.1' AND clinic_id = 'clinic-1'"));
        var verified = await audit.VerifyAsync();
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(3, verified.RowsChecked);
    }

    [Fact]
    public async Task An_append_takes_the_chain_lock_and_reads_the_chain_s_head_in_one_round_trip()
    {
        // Npgsql calls a data source's filters once per command or batch it sends, while anything listens to it.
        var sent = 0;
        var builder = new NpgsqlDataSourceBuilder(_database.ConnectionString);
        builder.ConfigureTracing(t => t
            .ConfigureCommandFilter(_ => Interlocked.Increment(ref sent) > 0)
            .ConfigureBatchFilter(_ => Interlocked.Increment(ref sent) > 0));
        await using var source = builder.Build();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == "Npgsql",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.PropagationData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var audit = new AuditLog(source, TimeProvider.System);

        await audit.AppendAsync(AuditActions.Login, AuditOutcomes.Success, "user-1", "10.0.0.1");
        await audit.AppendTogetherAsync([new(AuditActions.Upload, AuditOutcomes.Success, "job-1"), new(AuditActions.JobStarted, AuditOutcomes.Success, "job-1")], "user-1", "10.0.0.1");

        // Per transaction: the lock with the last row's hash, then the rows (the commit is not a command). The lock is
        // held for three round trips, not four: it bounds how many audited actions the whole cluster can take.
        Assert.Equal(4, sent);
        var verified = await audit.VerifyAsync();
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(3, verified.RowsChecked);
    }

    [Fact]
    public async Task A_row_the_server_refuses_fails_only_its_own_append()
    {
        await using var source = NpgsqlDataSource.Create(_database.ConnectionString);
        var audit = new AuditLog(source, TimeProvider.System);

        // PostgreSQL text cannot hold a NUL character: the server refuses that row.
        var appends = await WhileTheChainIsLockedAsync(source, () =>
        [
            audit.AppendAsync(AuditActions.Upload, AuditOutcomes.Success, "user-1", null, "before"),
            audit.AppendAsync(AuditActions.Upload, AuditOutcomes.Success, "user-1", null, "bad\0target"),
            audit.AppendAsync(AuditActions.Upload, AuditOutcomes.Success, "user-1", null, "after"),
        ], audit);

        await appends[0];
        await Assert.ThrowsAsync<PostgresException>(() => appends[1]);
        await appends[2];
        Assert.Equal(3, await _database.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal(0, await _database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE target LIKE 'bad%'"));
        Assert.True((await audit.VerifyAsync()).Intact);

        // The writer carries on: a later append is written.
        await audit.AppendAsync(AuditActions.Login, AuditOutcomes.Success, "user-1", null);
        Assert.Equal(4, (await audit.VerifyAsync()).RowsChecked);
    }

    /// <summary>
    /// Holds the chain lock from another session, lets a first append wait for it in PostgreSQL, queues
    /// <paramref name="queue"/>'s appends behind it, then lets go. Returns the queued appends.
    /// </summary>
    private static async Task<List<Task>> WhileTheChainIsLockedAsync(NpgsqlDataSource source, Func<List<Task>> queue, AuditLog audit)
    {
        await using var holder = await source.OpenConnectionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({AuditLog.ChainLockKey})", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        var first = audit.AppendAsync(AuditActions.Login, AuditOutcomes.Success, "user-1", "10.0.0.1");
        await Eventually.TrueAsync(
            async () =>
            {
                await using var waiting = source.CreateCommand($"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = {AuditLog.ChainLockKey & 0xFFFFFFFF}");
                return (long)(await waiting.ExecuteScalarAsync())! == 1;
            },
            "the first append waits for the chain lock");
        var queued = queue();
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({AuditLog.ChainLockKey})", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        await first;
        return queued;
    }
}
