using Maneiro.Testing;

namespace Maneiro.Tests.Storage;

/// <summary>
/// The apps hand pooled database connections back without a reset (<c>NoResetOnClose</c>), so no code may leave
/// session state behind: after the migrations (a session advisory lock) and an analysis to its end (audit appends under a
/// transaction lock, grain state, the fingerprint index), no connection of this database holds a lock or sits in an
/// open transaction.
/// </summary>
public sealed class PooledConnectionStateTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task Connections_go_back_to_the_pool_without_locks_or_open_transactions()
    {
        var (session, _) = await app.SignedInUserAsync("pooled-state");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);

        var database = app.Database.Name;
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = '{database}' AND a.pid <> pg_backend_pid() AND l.locktype = 'advisory'"));
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"));

        // The pool's connections were opened for the app and are still there: the checks above looked at them.
        Assert.True(await app.Database.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()") > 0);
        session.Dispose();
    }
}
