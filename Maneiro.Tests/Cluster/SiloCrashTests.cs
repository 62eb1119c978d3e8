using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Cluster;

/// <summary>Two standalone silos and a client-mode web; the silo running jobs is killed with SIGKILL mid-analysis.</summary>
public sealed class SiloCrashTests
{
    private const int Jobs = 6;

    [Fact]
    public async Task Jobs_on_a_killed_silo_complete_on_the_survivor_exactly_once_and_the_silo_rejoins()
    {
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var pubMed = await FakeEutils.StartAsync();
        openAi.Answer(JobsApp.ModelAnswer());
        openAi.Hold();
        var database = new TestDatabase();
        await database.InitializeAsync();
        var clusterId = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var blobRoot = Directory.CreateTempSubdirectory("maneiro-crash-blobs-").FullName;
        var silos = new Dictionary<string, ManeiroProcess>();
        var ports = new Dictionary<string, (int Silo, int Gateway)>();
        try
        {
            ManeiroProcess StartSilo(string name)
            {
                ports.TryAdd(name, (TestServers.FreeTcpPort(), TestServers.FreeTcpPort()));
                var environment = ManeiroProcess.SiloEnvironment(database.Url, blobRoot, clusterId, openAi.Endpoint, pubMed.BaseUrl, ports[name].Silo, ports[name].Gateway);

                // Declare a dead silo dead within seconds, not the production default.
                environment["Orleans__Membership__ProbeTimeout"] = "00:00:02";
                environment["Orleans__Membership__NumMissedProbesLimit"] = "2";
                environment["Orleans__Membership__TableRefreshTimeout"] = "00:00:02";
                environment["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05";
                return ManeiroProcess.StartSilo(environment);
            }

            silos["a"] = StartSilo("a");
            await silos["a"].WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            silos["b"] = StartSilo("b");
            await silos["b"].WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

            var web = new ClientModeWebApp(database, blobRoot, clusterId);
            await web.StartAsync();
            try
            {
                var (session, email) = await web.SignedInUserAsync();
                var ids = new List<string>();
                for (var i = 0; i < Jobs; i++)
                {
                    ids.Add(await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote)));
                }

                // Every job is waiting for the model when the silo dies.
                await openAi.WaitUntilHeldAsync(Jobs);
                Assert.Equal(Jobs, openAi.ChatCalls);

                // An open live stream, as a job page holds: it must keep delivering after the crash.
                await using var hub = new HubConnectionBuilder()
                    .WithUrl(new Uri(web.Factory.BaseAddress, "/hubs/jobs"), o => o.Cookies = session.Cookies)
                    .WithAutomaticReconnect()
                    .Build();
                var completedLive = new ConcurrentDictionary<string, bool>();
                hub.On<JsonElement>("progress", e =>
                {
                    if (e.GetProperty("stage").GetString() == "Complete")
                    {
                        completedLive[e.GetProperty("jobId").GetString()!] = true;
                    }
                });
                await hub.StartAsync();
                foreach (var id in ids)
                {
                    await hub.InvokeAsync<JsonElement>("Subscribe", id);
                }

                // Find the silo hosting the most jobs, and kill it without warning.
                var grains = web.Factory.Services.GetRequiredService<IGrainFactory>();
                var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
                var hosting = statistics.Where(s => ids.Any(id => s.GrainId.ToString().Contains(id, StringComparison.Ordinal)))
                    .GroupBy(s => s.SiloAddress.Endpoint.Port)
                    .OrderByDescending(g => g.Count())
                    .First();
                var victim = ports.Single(p => p.Value.Silo == hosting.Key).Key;
                var onVictim = hosting.Count();
                silos[victim].Kill();

                // The web keeps serving: at worst a clean 503 while the dead silo is being detected, then 200.
                var home = (await session.GetAsync("/")).Status;
                Assert.True(home is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, home.ToString());
                await Eventually.ReturnsAsync(
                    async () => (await session.GetAsync("/Account/Login")).Status,
                    status => status == HttpStatusCode.OK || (status == HttpStatusCode.ServiceUnavailable ? false : throw new Xunit.Sdk.XunitException($"/Account/Login answered {status}")),
                    "the web serves pages again after the silo died",
                    TimeSpan.FromSeconds(30));
                openAi.Release();
                foreach (var id in ids)
                {
                    var job = await JobsApp.WaitForFinishAsync(session, id, TimeSpan.FromSeconds(120));
                    Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());
                    var stages = job.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("stage").GetString()).ToList();
                    Assert.Single(stages, s => s == "Analyzing");
                    Assert.Single(stages, s => s == "Complete");
                }

                // The stream opened before the crash announced every completion, those on the survivor included.
                await Eventually.TrueAsync(() => completedLive.Count >= Jobs, "every completion arrived on the live stream", TimeSpan.FromSeconds(10));
                Assert.Equal(ids.Order(StringComparer.Ordinal), completedLive.Keys.Order(StringComparer.Ordinal));

                // Every job's analysis finished once. A call abandoned mid-flight (its silo died, or the directory
                // moved the activation) is asked again once; no job needed more than that.
                Assert.InRange(openAi.ChatCalls, Jobs + onVictim, 2 * Jobs);
                var snapshot = await web.UserGrain(await web.UserIdAsync(email)).GetSnapshot();
                Assert.Equal(Jobs, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
                await database.WaitForAuditRowsAsync("action = 'job.completed'", Jobs);

                // The killed silo comes back and rejoins the cluster.
                silos[victim] = StartSilo(victim);
                await silos[victim].WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                Assert.Equal(2, hosts.Count);
                session.Dispose();
            }
            finally
            {
                await web.Factory.DisposeAsync();
            }
        }
        finally
        {
            foreach (var silo in silos.Values)
            {
                await silo.DisposeAsync();
            }

            await database.DisposeAsync();
            Directory.Delete(blobRoot, true);
        }
    }
}
