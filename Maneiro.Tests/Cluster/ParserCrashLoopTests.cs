using System.Net;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Cluster;

/// <summary>
/// A document whose parsing takes the whole silo down, as an in-process parser crash did: the stage's starts are
/// counted before its work, so after the limit (2) the job fails instead of killing every restarted silo. The document
/// is longer than the analysed length, so the upload does not hand its text to the job and the silo parses it itself.
/// </summary>
public sealed class ParserCrashLoopTests
{
    [Fact]
    public async Task A_stage_that_kills_its_silo_is_started_twice_then_failed_and_the_restarted_silo_keeps_serving()
    {
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var pubMed = await FakeEutils.StartAsync();
        var database = new TestDatabase();
        await database.InitializeAsync();
        var clusterId = "parser-crash-" + Guid.NewGuid().ToString("N")[..8];
        var scratch = Directory.CreateTempSubdirectory("maneiro-parser-crash-").FullName;
        var blobRoot = Path.Combine(scratch, "blobs");
        var kills = Path.Combine(scratch, "kills.log");
        var environment = ManeiroProcess.SiloEnvironment(database.Url, blobRoot, clusterId, openAi.Endpoint, pubMed.BaseUrl, TestServers.FreeTcpPort(), TestServers.FreeTcpPort());
        environment["Pdf__PdfToTextPath"] = StandInTools.HostKillingPdfToText(scratch, kills);
        environment["Pdf__TextServerPath"] = "";
        ManeiroProcess? silo = null;
        try
        {
            async Task<ManeiroProcess> StartSiloAsync()
            {
                var started = ManeiroProcess.StartSilo(environment);
                await started.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
                return started;
            }

            silo = await StartSiloAsync();
            var web = new ClientModeWebApp(database, blobRoot, clusterId);
            await web.StartAsync();
            try
            {
                var (session, email) = await web.SignedInUserAsync();
                var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, LongerThanAnalysedPdf()));

                // First start: the parser takes the silo down.
                await Eventually.TrueAsync(() => silo.HasExited, "the parser killed the silo", TimeSpan.FromSeconds(60));
                await silo.DisposeAsync();

                // A restarted silo: a status read activates the job, which starts the stage a second time.
                silo = await StartSiloAsync();
                var second = silo;
                await Eventually.TrueAsync(
                    async () =>
                    {
                        await ReadStatusAsync(session, jobId);
                        return second.HasExited;
                    },
                    "the second start killed the silo again",
                    TimeSpan.FromSeconds(90));
                await silo.DisposeAsync();

                // Over its limit: the next activation fails the job instead of starting the stage again.
                silo = await StartSiloAsync();
                var job = await JobsApp.WaitForFinishAsync(session, jobId, TimeSpan.FromSeconds(90));
                Assert.Equal(JobStage.Failed, JobsApp.Stage(job));
                Assert.Equal(JobFailurePolicy.StartLimitMessage, job.GetProperty("error").GetString());
                Assert.Equal(new JobOptions().MaxStageStarts, File.ReadAllLines(kills).Length);
                Assert.False(silo.HasExited);

                // The allowance is given back, and the restarted silo serves other work.
                var snapshot = await web.UserGrain(await web.UserIdAsync(email)).GetSnapshot();
                Assert.Equal(0, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
                openAi.Answer(JobsApp.ModelAnswer());
                // Until the web's client has let go of the dead silos' addresses, a call may still be sent to one: the
                // upload is answered 503 "try again in a few seconds" (seen in CI), and like a person the test does.
                var accepted = await Eventually.ReturnsAsync(
                    () => JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote),
                    r => r.StatusCode != HttpStatusCode.ServiceUnavailable,
                    "the restarted silo accepts an upload",
                    TimeSpan.FromSeconds(60));
                var pasted = await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(accepted));
                Assert.Equal(JobStage.Complete, JobsApp.Stage(pasted));
                Assert.False(silo.HasExited);
                session.Dispose();
            }
            finally
            {
                await web.Factory.DisposeAsync();
            }
        }
        finally
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }

            await database.DisposeAsync();
            Directory.Delete(scratch, true);
        }
    }

    /// <summary>Reads the job's status; while the silo is down or restarting the web answers 503, which is fine here.</summary>
    private static async Task ReadStatusAsync(BrowserSession session, string jobId)
    {
        using var response = await session.Client.GetAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, response.StatusCode.ToString());
    }

    /// <summary>A text PDF of about 40 pages whose text is longer than the analysed length.</summary>
    private static byte[] LongerThanAnalysedPdf()
    {
        var line = "Follow-up line: pressure stable on drops, fields unchanged, no new symptoms reported today.";
        var lines = Enumerable.Range(0, (ExtractedTextLimits.MaxAnalysedCharacters / line.Length) + 20).Select(i => $"{i:D4} {line}");
        return TestDocuments.TextPdf(TestDocuments.OphthalmologyNote + "\n" + string.Join('\n', lines));
    }
}
