using System.Text;
using Maneiro.Grains;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Retention;
using Maneiro.Grains.Services;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Maneiro.Tests.Grains;

/// <summary>The retention sweeper on a real TestCluster: a sweep a crash left half done resumes from its saved state and notes.</summary>
public sealed class RetentionSweepTests : IAsyncLifetime
{
    private readonly ManeiroCluster _cluster = ManeiroCluster.WithScriptedModel();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task A_sweep_a_crash_left_half_done_resumes_on_activation_counts_each_record_once_and_writes_one_audit_row()
    {
        _cluster.Model.Script(() => ScriptedAnalyzer.Answer(JobsApp.ModelAnswer()));
        var owner = "sweep-" + Guid.NewGuid().ToString("N")[..8];
        var clinicId = await _cluster.Grains.GetGrain<IUserGrain>(owner).Clinic($"{owner}@clinic.example");
        var deletedBeforeCrash = await AnalyzeAsync(owner);
        var notedBeforeCrash = await AnalyzeAsync(owner);
        var untouched = await AnalyzeAsync(owner);
        var stranger = "other-" + Guid.NewGuid().ToString("N")[..8];
        await _cluster.Grains.GetGrain<IUserGrain>(stranger).Clinic($"{stranger}@clinic.example");
        var othersOld = await AnalyzeAsync(stranger);
        var cutoff = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > cutoff, "the clock moved past the cutoff");
        var fresh = await AnalyzeAsync(owner);

        // What the crash left: a sweep saved as running; one analysis noted and deleted, one noted but not yet deleted.
        var sweep = new SweepReport("crashed-" + Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow, null, cutoff, 0, 0, 0);
        var notes = _cluster.SiloServices.GetRequiredService<ISweptRecords>();
        await notes.RecordAsync(new SweptRecord(deletedBeforeCrash, SweptKinds.Analysis, clinicId, sweep.SweepId, DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.True(await _cluster.Grains.GetGrain<IAnalysisGrain>(deletedBeforeCrash).Delete());
        await notes.RecordAsync(new SweptRecord(notedBeforeCrash, SweptKinds.Analysis, clinicId, sweep.SweepId, DateTimeOffset.UtcNow), CancellationToken.None);
        var storage = _cluster.SiloServices.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        await storage.WriteStateAsync("retention", GrainId.Create("retention", clinicId), new GrainState<RetentionState> { State = new RetentionState { Running = sweep } });

        // Any call activates the sweeper (here: the admin saving a policy schedules it), which goes on with the saved
        // sweep, not a new one.
        await _cluster.Grains.GetGrain<IClinicGrain>(clinicId).SaveRetention(owner, 30, deleteAudioAfterTranscription: true);
        var retention = _cluster.Grains.GetGrain<IRetentionGrain>(clinicId);
        var done = (await Eventually.ReturnsAsync(retention.Status, s => s.Last is not null, "the resumed sweep finished")).Last!;
        Assert.Equal(sweep.SweepId, done.SweepId);
        Assert.Equal(3, done.Analyses);

        Assert.Null(await _cluster.Grains.GetGrain<IAnalysisGrain>(notedBeforeCrash).GetProgress());
        Assert.Null(await _cluster.Grains.GetGrain<IAnalysisGrain>(untouched).GetProgress());
        Assert.NotNull(await _cluster.Grains.GetGrain<IAnalysisGrain>(fresh).GetProgress());
        Assert.NotNull(await _cluster.Grains.GetGrain<IAnalysisGrain>(othersOld).GetProgress());
        Assert.Equal([fresh], await _cluster.Grains.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(owner)).Page(0, 10));
        Assert.Equal(1, _cluster.Auditor.Sweeps.Count(s => s.ClinicId == clinicId));

        // A sweep now starts afresh from the clinic's policy (30 days: nothing is that old).
        var next = await retention.Sweep();
        Assert.NotEqual(sweep.SweepId, next!.SweepId);
        var second = (await Eventually.ReturnsAsync(retention.Status, s => s.Last?.SweepId == next.SweepId, "the next sweep finished")).Last!;
        Assert.Equal(0, second.Analyses);
        Assert.NotNull(await _cluster.Grains.GetGrain<IAnalysisGrain>(fresh).GetProgress());
    }

    [Fact]
    public async Task An_export_a_crash_interrupted_fails_cleanly_on_its_next_activation_and_leaves_no_archive()
    {
        var exportId = Guid.NewGuid().ToString("N");
        var key = $"exports/{exportId}/archive";
        var blobs = _cluster.SiloServices.GetRequiredService<IBlobStore>();
        await blobs.PutAsync(key, new MemoryStream([1, 2, 3]), "application/zip", CancellationToken.None);
        var running = new ClinicExportView(exportId, "some-clinic", "some-admin", ExportStatus.Running, 3, 10, DateTimeOffset.UtcNow, null, 0, null, DateTimeOffset.UtcNow.AddDays(1));
        var storage = _cluster.SiloServices.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        await storage.WriteStateAsync("export", GrainId.Create("clinicexport", exportId), new GrainState<Maneiro.Grains.Exports.ClinicExportState> { State = new() { View = running, BlobKey = key } });

        // Its password died with the activation that ran it: the export says so and its partial archive is gone.
        var view = (await _cluster.Grains.GetGrain<IClinicExportGrain>(exportId).View())!;
        Assert.Equal(ExportStatus.Failed, view.Status);
        Assert.Equal(Maneiro.Grains.Exports.ClinicExportGrain.Interrupted, view.Error);
        Assert.False(await blobs.ExistsAsync(key, CancellationToken.None));
    }

    private async Task<string> AnalyzeAsync(string owner)
    {
        var id = Guid.NewGuid().ToString("N");
        var key = BlobKeys.NewUploadKey(id);
        await using (var text = new MemoryStream(Encoding.UTF8.GetBytes(TestDocuments.OphthalmologyNote)))
        {
            await _cluster.SiloServices.GetRequiredService<IBlobStore>().PutAsync(key, text, "text/plain", CancellationToken.None);
        }

        var analysis = _cluster.Grains.GetGrain<IAnalysisGrain>(id);
        await analysis.Start(new AnalysisRequest(owner, key, InputKind.Text, "text/plain", TestDocuments.OphthalmologyNote.Length, "ophthalmology", false));
        await Eventually.ReturnsAsync(analysis.GetProgress, p => p!.IsFinished, "the analysis finished", TimeSpan.FromSeconds(60));
        return id;
    }
}
