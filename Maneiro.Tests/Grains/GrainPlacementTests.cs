using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace Maneiro.Tests.Grains;

/// <summary>
/// An upload's reservation and start are one call to the owner's grain, and the analysis it starts lives on the
/// owner's silo, as a member's clinic of one lives on the member's: in a cluster of two silos (PostgreSQL, Redis), the
/// calls between them stay in the process; and a web instance's calls for an account's grain arrive at the silo that
/// holds it (not forwarded from the gateway that received them to the other silo).
/// </summary>
public sealed class GrainPlacementTests : IAsyncLifetime
{
    private readonly ManeiroCluster _cluster = ManeiroCluster.WithScriptedModelAndRandomPlacement();

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        await _cluster.Cluster.StartAdditionalSiloAsync();

        // A client started now reads both silos' gateways from the membership table, as a web instance does.
        await _cluster.Cluster.StopClusterClientAsync();
        await _cluster.Cluster.InitializeClientAsync();
        foreach (var silo in _cluster.Cluster.Silos)
        {
            ((ScriptedAnalyzer)((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<IClinicalAnalyzer>()).Script(() => ScriptedAnalyzer.Answer(JobsApp.ModelAnswer()));
        }
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task An_analysis_started_by_its_owner_s_grain_runs_on_the_owner_s_silo_and_is_charged_once()
    {
        var management = _cluster.Grains.GetGrain<IManagementGrain>(0);
        var silos = _cluster.Cluster.GetActiveSilos().Select(s => s.SiloAddress).ToList();
        Assert.Equal(2, silos.Count);
        var started = new List<(IUserGrain Owner, IAnalysisGrain Analysis)>();
        for (var i = 0; i < 8; i++)
        {
            // Owners on both silos, wherever the client's call arrives.
            var (owner, request) = await NewUploadAsync();
            await ActivateOnAsync(owner, silos[i % 2]);
            var jobId = Guid.NewGuid().ToString("N");
            Assert.True((await owner.StartAnalysis(jobId, request, null)).Granted);
            var analysis = _cluster.Grains.GetGrain<IAnalysisGrain>(jobId);

            Assert.Equal(silos[i % 2], await management.GetActivationAddress(owner));
            Assert.Equal(silos[i % 2], await management.GetActivationAddress(analysis));
            started.Add((owner, analysis));
        }

        foreach (var (owner, analysis) in started)
        {
            var done = await Eventually.ReturnsAsync(analysis.GetProgress, p => p!.IsFinished, "the analysis finished", TimeSpan.FromSeconds(60));
            Assert.Equal(JobStage.Complete, done!.Stage);
            Assert.Equal(1, (await owner.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        }
    }

    [Fact]
    public async Task A_member_s_clinic_of_one_is_placed_beside_the_member_s_grain_that_founds_it()
    {
        var management = _cluster.Grains.GetGrain<IManagementGrain>(0);
        var silos = _cluster.Cluster.GetActiveSilos().Select(s => s.SiloAddress).ToList();
        for (var i = 0; i < 8; i++)
        {
            var (member, _) = await NewUploadAsync();
            await ActivateOnAsync(member, silos[i % 2]);
            var membership = await member.Membership($"member{i}@example.test");

            Assert.Equal(silos[i % 2], await management.GetActivationAddress(_cluster.Grains.GetGrain<IClinicGrain>(membership.ClinicId)));
        }
    }

    [Fact]
    public async Task An_owner_without_allowance_left_is_refused_and_nothing_starts()
    {
        var (owner, request) = await NewUploadAsync();
        for (var i = 0; (await owner.TryReserve(UsageKind.Analyses, $"earlier-{i}", 1)).Granted; i++)
        {
        }

        var jobId = Guid.NewGuid().ToString("N");
        var refused = await owner.StartAnalysis(jobId, request, null);

        Assert.False(refused.Granted);
        Assert.Contains("Free plan", refused.DeniedReason, StringComparison.Ordinal);
        Assert.Null(await _cluster.Grains.GetGrain<IAnalysisGrain>(jobId).GetProgress());
    }

    [Fact]
    public async Task A_start_the_job_refuses_releases_the_unit_it_reserved_even_when_the_job_asked_the_owner_back()
    {
        // An upload "on behalf" by someone outside the owner's clinic: the job checks the owner's clinic, a call back to
        // the owner's grain, which waits for the job's start (a deadlock until the call timed out, were it not allowed).
        var (owner, request) = await NewUploadAsync();
        var jobId = Guid.NewGuid().ToString("N");

        await Assert.ThrowsAsync<ClinicRefusedException>(() => owner.StartAnalysis(jobId, request with { SubmittedBy = "outsider-" + Guid.NewGuid().ToString("N")[..8] }, null));

        Assert.Equal(0, (await owner.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        Assert.Null(await _cluster.Grains.GetGrain<IAnalysisGrain>(jobId).GetProgress());
    }

    [Fact]
    public async Task Only_the_owner_s_grain_starts_the_owner_s_analysis()
    {
        var (owner, request) = await NewUploadAsync();
        var someoneElse = _cluster.Grains.GetGrain<IUserGrain>("other-" + Guid.NewGuid().ToString("N")[..8]);

        await Assert.ThrowsAsync<ArgumentException>(() => someoneElse.StartAnalysis(Guid.NewGuid().ToString("N"), request, null));

        Assert.Equal(0, (await someoneElse.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        Assert.Equal(0, (await owner.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
    }

    [Fact]
    public async Task Calls_for_an_account_s_grain_are_not_forwarded_between_silos()
    {
        var silos = _cluster.Cluster.GetActiveSilos().Select(s => s.SiloAddress).ToHashSet();
        Assert.Equal(2, silos.Count);
        var users = Enumerable.Range(0, 16).Select(i => _cluster.Grains.GetGrain<IUserGrain>($"gateway-{i}-{Guid.NewGuid():N}")).ToList();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            await user.Membership($"member{i}@example.test");
        }

        // The client spreads its grains over both gateways; otherwise this test could not tell anything.
        var management = _cluster.Grains.GetGrain<IManagementGrain>(0);
        var hosts = new HashSet<SiloAddress>();
        foreach (var user in users)
        {
            hosts.Add(await management.GetActivationAddress(user) ?? throw new InvalidOperationException("not active"));
        }

        Assert.True(hosts.SetEquals(silos), $"the 16 grains live on {hosts.Count} of the 2 silos");

        using var requests = new SiloToSiloRequests(silos);
        for (var round = 0; round < 10; round++)
        {
            foreach (var user in users)
            {
                await user.GetSnapshot();
            }
        }

        // 160 calls; a handful of the cluster's own requests (membership probes, directory upkeep) may fall in the
        // window, a forwarded share of the calls would be dozens.
        Assert.True(requests.Count < 16, $"{requests.Count} requests went from silo to silo during 160 calls to 16 grains");
    }

    /// <summary>Counts requests the cluster's silos send each other (Orleans' sent-message measurements).</summary>
    private sealed class SiloToSiloRequests : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentBag<string> _seen = [];

        public SiloToSiloRequests(HashSet<SiloAddress> silos)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name == "orleans-messaging-sent-messages-size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, _, tags, _) =>
            {
                string? connection = null, direction = null;
                SiloAddress? to = null;
                foreach (var tag in tags)
                {
                    switch (tag.Key)
                    {
                        case "ConnectionDirection": connection = tag.Value?.ToString(); break;
                        case "MessageDirection": direction = tag.Value?.ToString(); break;
                        case "silo": to = tag.Value as SiloAddress; break;
                    }
                }

                // Other test classes' clusters run in this process too: only messages to this cluster's silos count.
                if (connection == "SiloToSilo" && direction == "Request" && to is not null && silos.Contains(to))
                {
                    _seen.Add(to.ToString());
                }
            });
            _listener.Start();
        }

        public int Count => _seen.Count;

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Activates the owner's grain on <paramref name="silo"/> (a placement hint for that one call only).</summary>
    private static async Task ActivateOnAsync(IUserGrain owner, SiloAddress silo)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            await owner.GetSnapshot();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    /// <summary>A new owner and a stored text note, as the upload leaves them before the analysis starts.</summary>
    private async Task<(IUserGrain Owner, AnalysisRequest Request)> NewUploadAsync()
    {
        var ownerId = "placed-" + Guid.NewGuid().ToString("N")[..12];
        var key = BlobKeys.NewUploadKey(Guid.NewGuid().ToString("N"));
        await using (var text = new MemoryStream(Encoding.UTF8.GetBytes(TestDocuments.OphthalmologyNote)))
        {
            await _cluster.SiloServices.GetRequiredService<IBlobStore>().PutAsync(key, text, "text/plain", CancellationToken.None);
        }

        return (_cluster.Grains.GetGrain<IUserGrain>(ownerId), new AnalysisRequest(ownerId, key, InputKind.Text, "text/plain", TestDocuments.OphthalmologyNote.Length, "ophthalmology", false));
    }
}
