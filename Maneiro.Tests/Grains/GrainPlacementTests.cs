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
/// calls between them stay in the process.
/// </summary>
public sealed class GrainPlacementTests : IAsyncLifetime
{
    private readonly ManeiroCluster _cluster = ManeiroCluster.WithScriptedModelAndRandomPlacement();

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        await _cluster.Cluster.StartAdditionalSiloAsync();
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
