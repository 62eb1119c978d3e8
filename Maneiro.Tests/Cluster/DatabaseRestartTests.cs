using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Database;
using Maneiro.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maneiro.Tests.Cluster;

/// <summary>PostgreSQL goes away for a few seconds while a job is in flight; the job still completes, nothing is lost.</summary>
public sealed class DatabaseRestartTests
{
    [Fact]
    public async Task A_job_in_flight_survives_a_database_restart_without_manual_action()
    {
        await using var postgres = new ScratchPostgres();
        await postgres.InitializeAsync();
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var pubMed = await FakeEutils.StartAsync();
        openAi.Answer(JobsApp.ModelAnswer());
        openAi.Hold();
        var url = postgres.Url("maneiro");
        await new DatabaseMigrator(Maneiro.Infrastructure.Configuration.ConnectionUrls.ToNpgsqlConnectionString(url), NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
        var app = new RestartApp(url, openAi, pubMed);
        await app.StartAsync();
        try
        {
            var (session, email) = await app.SignedInUserAsync();
            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
            await LiveProgress(session, jobId);
            await openAi.WaitUntilHeldAsync();

            // The database stops while the model is answering; the answer arrives while it is away, then it comes back.
            await postgres.StopAsync();
            var whileDown = await session.GetAsync("/Account/Manage");
            Assert.True(whileDown.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Redirect or HttpStatusCode.OK, whileDown.Status.ToString());
            openAi.Release();
            await Eventually.TrueAsync(() => openAi.HeldRequests == 0, "the model answered while the database was away");
            await postgres.StartAsync();

            var job = await JobsApp.WaitForFinishAsync(session, jobId, TimeSpan.FromSeconds(90));
            Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
            var snapshot = await app.UserGrain(await app.UserIdAsync(email)).GetSnapshot();
            Assert.Equal(1, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
            Assert.Equal(HttpStatusCode.OK, (await session.GetAsync($"/Jobs/{jobId}")).Status);
            session.Dispose();
        }
        finally
        {
            await app.Factory.DisposeAsync();
        }
    }

    private static async Task LiveProgress(BrowserSession session, string jobId) =>
        await Jobs.LiveProgressAndAccessTests.WaitForStageAsync(session, jobId, "Analyzing");

    private sealed class RestartApp(string databaseUrl, FakeOpenAi openAi, FakeEutils pubMed) : ManeiroApp
    {
        public async Task StartAsync()
        {
            Factory = new ManeiroWebFactory(databaseUrl, new Dictionary<string, string?>
            {
                ["Mail:PickupDirectory"] = Mail.Directory,
                ["OPENAI_API_KEY"] = "sk-test",
                ["OpenAI:Endpoint"] = openAi.Endpoint.ToString(),
                ["OpenAI:MaxRetries"] = "0",
                ["Ncbi:BaseUrl"] = pubMed.BaseUrl.ToString(),
                ["Security:RateLimits:KeyPrefix"] = "rl-test-" + Guid.NewGuid().ToString("N"),
            });
            _ = Factory.BaseAddress;
            await Task.CompletedTask;
        }
    }
}
