using System.Net;
using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

/// <summary>The production shape for jobs: the job grain runs in a standalone silo process; the web is only a client.</summary>
public sealed class ClientModeJobTests
{
    [Fact]
    public async Task An_upload_to_a_client_mode_web_runs_in_the_silo_process_and_its_progress_reaches_the_browser_api()
    {
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var pubMed = await FakeEutils.StartAsync();
        openAi.Answer(JobsApp.ModelAnswer());
        var database = new TestDatabase();
        await database.InitializeAsync();
        var clusterId = "jobs-client-" + Guid.NewGuid().ToString("N")[..8];
        var blobRoot = Directory.CreateTempSubdirectory("maneiro-client-blobs-").FullName;
        try
        {
            await using var silo = ManeiroProcess.StartSilo(ManeiroProcess.SiloEnvironment(
                database.Url, blobRoot, clusterId, openAi.Endpoint, pubMed.BaseUrl, TestServers.FreeTcpPort(), TestServers.FreeTcpPort()));
            await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

            var app = new ClientModeWebApp(database, blobRoot, clusterId);
            await app.StartAsync();
            try
            {
                var (session, _) = await app.SignedInUserAsync();
                var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
                var job = await JobsApp.WaitForFinishAsync(session, jobId);
                Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
                Assert.Equal(1, openAi.ChatCalls);
                Assert.Equal(HttpStatusCode.OK, (await session.GetAsync($"/Jobs/{jobId}")).Status);
                session.Dispose();
            }
            finally
            {
                await app.Factory.DisposeAsync();
            }
        }
        finally
        {
            await database.DisposeAsync();
            Directory.Delete(blobRoot, true);
        }
    }
}
