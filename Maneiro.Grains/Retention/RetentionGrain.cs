using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maneiro.Grains.Retention;

/// <summary>Persisted state of <see cref="RetentionGrain"/>: the sweep under way (resumed after a crash) and the last one.</summary>
[GenerateSerializer, Alias("Maneiro.RetentionState")]
public sealed class RetentionState
{
    [Id(0)] public SweepReport? Running { get; set; }

    [Id(1)] public SweepReport? Last { get; set; }
}

/// <summary>
/// Sweeps one clinic: every finished analysis of its members older than the retention period (with its letters, blobs,
/// history and duplicate-upload entries: the analysis grain's own deletion) and every inbox item received before it.
/// Each deletion is noted first (<see cref="ISweptRecords"/>, idempotent), so a sweep resumed after a crash neither
/// misses nor double-counts; the counts come from those notes, and one audit row is written per sweep.
/// </summary>
[GrainType("retention")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The background work is disposed when the activation deactivates.")]
public sealed partial class RetentionGrain(
    [PersistentState("retention", GrainStorage.Name)] IPersistentState<RetentionState> state,
    IRetentionClock clock,
    TimeProvider time,
    ISweptRecords swept,
    IIntakeIndex intake,
    IJobAuditor auditor,
    IOptions<RetentionOptions> options,
    ILogger<RetentionGrain> logger) : Grain, IRemindable, IRetentionGrain
{
    private const string SweepReminder = "sweep";
    private readonly Jobs.BackgroundWork _work = new();

    private string ClinicId => this.GetPrimaryKeyString();

    private IClinicGrain Clinic => GrainFactory.GetGrain<IClinicGrain>(ClinicId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Running is not null)
        {
            // A sweep stopped by a crash or a shutdown goes on from where its notes say.
            EnsureRunning();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _work.StopAsync(TimeSpan.FromSeconds(10));
        _work.Dispose();
    }

    public async Task<SweepReport?> Sweep()
    {
        if (state.State.Running is { } running)
        {
            EnsureRunning();
            return running;
        }

        if ((await Clinic.Retention()).Days is not { } days)
        {
            return null;
        }

        // The cutoff is the retention clock's (tests sweep "as of" a later day); the sweep's own times are real.
        state.State.Running = new SweepReport(Guid.NewGuid().ToString("N"), time.GetUtcNow(), null, clock.Now - (days * options.Value.Day), 0, 0, 0);
        await GrainStorage.WriteAsync(state);
        EnsureRunning();
        return state.State.Running;
    }

    public async Task<SweepReport> Purge()
    {
        if (state.State.Running is { Purge: true } purging)
        {
            EnsureRunning();
            return purging;
        }

        // A purge replaces a sweep under way (its notes count toward the purge's own sweep id from here on).
        state.State.Running = new SweepReport(Guid.NewGuid().ToString("N"), time.GetUtcNow(), null, DateTimeOffset.MaxValue, 0, 0, 0, Purge: true);
        await GrainStorage.WriteAsync(state);
        // A sweep that was running stops at its next record; the purge starts after it (not awaited: that sweep may be
        // waiting for the clinic, which is waiting for this call).
        _work.Replace(RunAsync);
        return state.State.Running;
    }

    public Task<RetentionStatus> Status() => Task.FromResult(new RetentionStatus(state.State.Running, state.State.Last));

    public async Task Schedule(bool sweepPeriodically)
    {
        if (sweepPeriodically)
        {
            var every = options.Value.SweepEvery < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : options.Value.SweepEvery;
            await this.RegisterOrUpdateReminder(SweepReminder, every, every);
        }
        else if (await this.GetReminder(SweepReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (await Sweep() is null)
        {
            // The clinic keeps everything now: no more ticks.
            await Schedule(false);
        }
    }

    private void EnsureRunning() => _work.Start(RunAsync);

    private async Task RunAsync(CancellationToken stop)
    {
        var sweep = state.State.Running!;
        try
        {
            await SweepAnalysesAsync(sweep, stop);
            foreach (var itemId in await intake.ReceivedBeforeAsync(ClinicId, sweep.Cutoff, stop))
            {
                stop.ThrowIfCancellationRequested();
                await NoteAsync(sweep, SweptKinds.IntakeItem, itemId, stop);
                await GrainFactory.GetGrain<IIntakeItemGrain>(itemId).Delete();
            }

            if (sweep.Purge)
            {
                // The clinic's exports hold copies of everything: they go with it.
                foreach (var exportId in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.ExportsOf(ClinicId)).Page(0, int.MaxValue))
                {
                    await GrainFactory.GetGrain<IClinicExportGrain>(exportId).Delete();
                }
            }

            var counts = await swept.CountsAsync(sweep.SweepId, stop);
            var done = sweep with
            {
                FinishedAt = time.GetUtcNow(),
                Analyses = counts.GetValueOrDefault(SweptKinds.Analysis),
                Letters = counts.GetValueOrDefault(SweptKinds.Letter),
                IntakeItems = counts.GetValueOrDefault(SweptKinds.IntakeItem),
            };
            if (state.State.Running?.SweepId != sweep.SweepId)
            {
                // A purge took over while this sweep was finishing: it runs next, with its own notes and counts.
                return;
            }

            (state.State.Running, state.State.Last) = (null, done);
            await GrainStorage.WriteAsync(state);
            await auditor.RetentionSweptAsync(ClinicId, done);
            if (done.Purge)
            {
                await Clinic.FinishDeletion();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Deactivating: the saved sweep resumes on the next activation (the reminder brings one).
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Left as running: the next reminder tick or activation tries again from its notes.
            LogSweepInterrupted(ClinicId, ex.GetType().Name);
        }
    }

    /// <summary>The finished analyses of the clinic's members older than the cutoff; running ones wait for a later sweep.</summary>
    private async Task SweepAnalysesAsync(SweepReport sweep, CancellationToken stop)
    {
        // Members still in this clinic, asked once each (not once per analysis).
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var memberId in await Clinic.MemberIds())
        {
            if (await GrainFactory.GetGrain<IUserGrain>(memberId).CurrentClinicId() == ClinicId)
            {
                members.Add(memberId);
            }
        }

        foreach (var memberId in members)
        {
            if (sweep.Purge)
            {
                // Recordings never submitted are nobody's analysis yet: the clinic's deletion takes them too.
                foreach (var recordingId in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.RecordingsOf(memberId)).Page(0, int.MaxValue))
                {
                    await GrainFactory.GetGrain<IRecordingGrain>(recordingId).Discard();
                }
            }

            foreach (var analysisId in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(memberId)).Page(0, int.MaxValue))
            {
                stop.ThrowIfCancellationRequested();
                var analysis = GrainFactory.GetGrain<IAnalysisGrain>(analysisId);

                // A purge takes running analyses too (their deletion cancels them); a sweep leaves them for later.
                if (await analysis.GetProgress() is not { } progress
                    || (!sweep.Purge && ((!progress.IsFinished && !JobStages.IsWaiting(progress.Stage)) || progress.CreatedAt >= sweep.Cutoff))
                    || !members.Contains(progress.OwnerId))
                {
                    continue;
                }

                foreach (var letterId in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(analysisId)).Page(0, int.MaxValue))
                {
                    await NoteAsync(sweep, SweptKinds.Letter, letterId, stop);
                }

                await NoteAsync(sweep, SweptKinds.Analysis, analysisId, stop);
                await analysis.Delete();
            }
        }
    }

    private Task NoteAsync(SweepReport sweep, string kind, string id, CancellationToken stop) =>
        swept.RecordAsync(new SweptRecord(id, kind, ClinicId, sweep.SweepId, time.GetUtcNow()), stop);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The retention sweep of clinic {ClinicId} stopped and will resume: {ErrorType}")]
    private partial void LogSweepInterrupted(string clinicId, string errorType);
}
