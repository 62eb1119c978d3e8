using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maneiro.Grains.Jobs;

/// <summary>
/// Runs a job as a sequence of saved stages, shared by analyses and letters. Each stage is saved before its work starts
/// and its output after it ends, so after a crash the job resumes at the first unfinished stage (the silos' sweep of
/// <see cref="IUnfinishedJobs"/> brings it back; activation resumes it). Subclasses are reentrant so status reads
/// interleave with the long awaits; only the stage loop writes state. What an error means is
/// <see cref="JobFailurePolicy"/>'s call; saving and announcing progress is <see cref="JobRecorder"/>'s.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source is disposed when the activation deactivates.")]
public abstract class StagedJobGrain<TState>(IPersistentState<TState> state, IJobProgressPublisher progress, ManeiroTelemetry telemetry, TimeProvider time, ILogger logger) : Grain, IRemindable, IResumableJob, IJobOutcomeHooks
    where TState : class, IStagedJobState
{
    /// <summary>The per-job reminder of earlier versions (see <see cref="ReceiveReminder"/>).</summary>
    private const string ResumeReminder = "resume";
    private CancellationTokenSource _stop = new();
    private Task? _run;
    private bool _cancelRequested;

    /// <summary>
    /// Set when this activation has just launched the run: its first stage is saved as begun and its usage reserved,
    /// so the run neither saves the stage again nor renews the reservation.
    /// </summary>
    private bool _justLaunched;

    private IGrainTimer? _retry;

    protected IPersistentState<TState> State => state;

    protected TimeProvider Time => time;

    protected ManeiroTelemetry Telemetry => telemetry;

    protected string Id => this.GetPrimaryKeyString();

    /// <summary>Whether a job was ever started under this key.</summary>
    protected abstract bool Exists { get; }

    protected abstract string OwnerId { get; }

    /// <summary>Another member who follows this job live on their own channel (staff who submitted or drafted it).</summary>
    protected virtual string? Follower => null;

    /// <summary>Key under which this run's usage is reserved and committed on the user grain.</summary>
    protected virtual string UsageKey => Id;

    /// <summary>What a run of this job uses up of its owner's allowance (one unit); null when the run itself is free (its OCR pages still count).</summary>
    protected abstract UsageKind? Usage { get; }

    /// <summary>What kind of job this is, for metrics and spans ("analysis", "letter").</summary>
    protected abstract string JobKind { get; }

    protected IUserGrain User => GrainFactory.GetGrain<IUserGrain>(OwnerId);

    private bool IsRunning => _run is { IsCompleted: false };

    private IUnfinishedJobs Unfinished => ServiceProvider.GetRequiredService<IUnfinishedJobs>();

    /// <summary>Whether there is a run to go on with: started, not finished, not waiting for a person.</summary>
    private bool HasUnfinishedRun => Exists && !IsTerminal(state.State.Stage) && !JobStages.IsWaiting(state.State.Stage);

    /// <summary>Does the stage's work and returns the stage that follows (<see cref="JobStage.Complete"/> at the end).</summary>
    protected abstract Task<JobStage> RunStageAsync(JobStage stage, CancellationToken cancellation);

    protected abstract int PercentAt(JobStage stage);

    /// <summary>
    /// Whether reaching <paramref name="stage"/> from the stage before is saved before its work starts (the default).
    /// A stage whose work is local and repeatable — no call out, nothing charged, the same answer every time — can
    /// start unsaved: its end is the next save, and a crash before it resumes at the stage before, whose saved output
    /// makes that stage a no-op. Waiting stages are always saved.
    /// </summary>
    protected virtual bool SavesItsBegin(JobStage stage) => true;

    public abstract Task AuditFinishedAsync(bool succeeded, string? failureMessage, TimeSpan duration);

    /// <summary>A recorder for the current run (the usage key changes with a letter's generation).</summary>
    private JobRecorder Recorder => new(new JobIdentity(Id, JobKind, OwnerId, UsageKey, User, Follower), state.State, () => GrainStorage.WriteAsync(state), this, progress, telemetry, time, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (HasUnfinishedRun)
        {
            logger.Resuming(Id, state.State.Stage);
            EnsureRunning();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Stop the work without recording a failure: the sweep (or the next call) resumes it elsewhere.
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        }

        _stop.Dispose();
    }

    public async Task Wake()
    {
        if (!HasUnfinishedRun)
        {
            await EndUnfinishedAsync();
            return;
        }

        // Woken now: the next sweeps pass over it for a while (a long run is not woken at every one).
        await Unfinished.AddAsync(this.GetGrainId(), time.GetUtcNow());
        EnsureRunning();
    }

    /// <summary>
    /// The one-minute "resume" reminder a job of an earlier version registered for itself (a row left in the table, or
    /// a silo of that version during a rolling upgrade): the job moves to the unfinished list, goes on if it has a run
    /// to go on with, and the reminder is removed.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (HasUnfinishedRun)
        {
            await Unfinished.AddAsync(this.GetGrainId(), time.GetUtcNow());
            EnsureRunning();
        }

        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task EndUnfinishedAsync() => Unfinished.RemoveAsync(this.GetGrainId());

    /// <summary>
    /// Marks the run's first stage as begun (its start counted) without saving. A new job does this before it saves its
    /// request, so the request and the begun stage are one write (after a crash the stage counts as started once, as a
    /// separate begin would), then calls <see cref="StartLaunchedAsync"/>.
    /// </summary>
    protected void MarkLaunched(JobStage first)
    {
        state.State.FailureMessage = null;
        state.State.Attempts = 0;
        state.State.StageStarts = 0;
        JobRecorder.MarkBegun(state.State, first, PercentAt(first), time.GetUtcNow());
    }

    /// <summary>Saves the run's first stage as begun, then starts it (see <see cref="StartLaunchedAsync"/>): for a run of a job that exists already.</summary>
    protected async Task LaunchAsync(JobStage first)
    {
        MarkLaunched(first);
        await GrainStorage.WriteAsync(state);
        await StartLaunchedAsync();
    }

    /// <summary>
    /// Puts the job on the unfinished list and reserves usage for a run whose first stage is saved as begun; then runs,
    /// or fails when the plan says no. <paramref name="reservedByCaller"/>: the caller reserved this run's unit under
    /// <see cref="UsageKey"/> a moment ago (asking again would only renew it: a call to the owner's grain, another
    /// silo's in a cluster, for nothing).
    /// </summary>
    protected async Task StartLaunchedAsync(bool reservedByCaller = false)
    {
        await Unfinished.AddAsync(this.GetGrainId(), time.GetUtcNow());

        if (!reservedByCaller && !await ReserveOrFailAsync(Recorder))
        {
            return;
        }

        _justLaunched = true;
        EnsureRunning();
    }

    /// <summary>
    /// Goes on from a stage where the job waited for a person (<see cref="JobStages.IsWaiting"/>) to <paramref name="next"/>:
    /// the job is back on the unfinished list and the reservation is renewed (it may have lapsed while the job waited),
    /// or the job fails with the plan's reason. Returns false when the job was not waiting.
    /// </summary>
    protected async Task<bool> ContinueAfterWaitAsync(JobStage next)
    {
        var waiting = state.State.Stage;
        if (!JobStages.IsWaiting(waiting) || IsRunning)
        {
            return false;
        }

        await Unfinished.AddAsync(this.GetGrainId(), time.GetUtcNow());
        if (!await ReserveOrFailAsync(Recorder))
        {
            return true;
        }

        await Recorder.AdvanceAsync(waiting, next, PercentAt(next));
        _justLaunched = true;
        EnsureRunning();
        return true;
    }

    /// <summary>Stops a running job and records it as canceled (usage released). Returns false when it had already finished.</summary>
    protected async Task<bool> CancelRunAsync()
    {
        if (IsTerminal(state.State.Stage))
        {
            return false;
        }

        _cancelRequested = true;
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }

        if (!IsTerminal(state.State.Stage))
        {
            await Recorder.CancelAsync();
        }

        return true;
    }

    private void EnsureRunning()
    {
        if (IsRunning)
        {
            return;
        }

        _cancelRequested = false;
        if (_stop.IsCancellationRequested)
        {
            _stop.Dispose();
            _stop = new CancellationTokenSource();
        }

        // Started from the grain's context, so every continuation runs on the grain's scheduler.
        _run = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var s = state.State;
        var recorder = Recorder;
        using var scope = logger.RunScope(Id, OwnerId);
        try
        {
            // The run's first stage is saved as begun here; every later one when the stage before it ends. A stage
            // that has already been started its limit of times is not started again, however the grain was activated
            // (the sweep, or a page reading its status): it may be what took the host down.
            if (JobStages.IsWaiting(s.Stage))
            {
                // Waiting for a person: nothing to run, and nothing to resume until they act.
                await EndUnfinishedAsync();
                return;
            }

            if (!IsTerminal(s.Stage))
            {
                if (s.StageStarts >= MaxStageStarts)
                {
                    logger.StartLimitReached(Id, s.Stage, s.StageStarts);
                    await recorder.FailAsync(StartLimitMessage);
                    return;
                }

                if (_justLaunched)
                {
                    // Saved as begun and reserved by the launch a moment ago: only announce it.
                    _justLaunched = false;
                    await recorder.PublishAsync();
                }
                else
                {
                    // A resumed run renews its reservation; one that expired while the job lay idle is taken again,
                    // or the job fails with the plan's reason.
                    if (!await ReserveOrFailAsync(recorder))
                    {
                        return;
                    }

                    await recorder.BeginAsync(s.Stage, PercentAt(s.Stage));
                }
            }

            while (!IsTerminal(s.Stage) && !JobStages.IsWaiting(s.Stage))
            {
                stop.ThrowIfCancellationRequested();
                try
                {
                    var stage = s.Stage;
                    var next = await recorder.TracedAsync(stage, () => RunStageAsync(stage, stop));
                    s.Attempts = 0;
                    await (next == JobStage.Complete ? recorder.CompleteAsync() : recorder.AdvanceAsync(stage, next, PercentAt(next), saved: SavesItsBegin(next) || JobStages.IsWaiting(next)));
                    if (JobStages.IsWaiting(next))
                    {
                        await EndUnfinishedAsync();
                    }
                }
                catch (Exception ex) when (JobFailurePolicy.IsTransient(ex) && !stop.IsCancellationRequested)
                {
                    if (!await recorder.RecordAttemptAsync(ex))
                    {
                        return;
                    }

                    await Task.Delay(JobFailurePolicy.RetryDelay(s.Attempts), stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (_cancelRequested && !IsTerminal(s.Stage))
            {
                await recorder.CancelAsync();
            }
            else if (!_cancelRequested && !IsTerminal(s.Stage))
            {
                await ForgetStartAsync(save: true);
            }
        }
        catch (Exception ex)
        {
            switch (await recorder.RecordFailureAsync(ex))
            {
                case FailureAction.WaitForStorage:
                    // Not the document's doing: this start does not count (saved with the next start).
                    await ForgetStartAsync(save: false);

                    // The database is away: try again shortly from the last saved stage (the sweep is the backstop).
                    _retry?.Dispose();
                    _retry = this.RegisterGrainTimer(() => { EnsureRunning(); return Task.CompletedTask; }, new GrainTimerCreationOptions(TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan) { Interleave = true });
                    break;
                case FailureAction.Reload:
                    DeactivateOnIdle();
                    break;
            }
        }
    }

    protected static bool IsTerminal(JobStage stage) => JobStages.IsTerminal(stage);

    /// <summary>Takes (or renews) the run's unit of its owner's allowance; when the plan says no, the job fails with its reason and false is returned.</summary>
    private async Task<bool> ReserveOrFailAsync(JobRecorder recorder)
    {
        if (Usage is { } usage && await User.TryReserve(usage, UsageKey, 1) is { Granted: false } reservation)
        {
            await recorder.FailAsync(reservation.DeniedReason ?? "Your plan's allowance is used up for this period.");
            return false;
        }

        return true;
    }

    /// <summary>The failure shown when a stage reached its start limit.</summary>
    protected virtual string StartLimitMessage => JobFailurePolicy.StartLimitMessage;

    private int MaxStageStarts => ServiceProvider.GetService<IOptions<JobOptions>>()?.Value.MaxStageStarts ?? new JobOptions().MaxStageStarts;

    /// <summary>A start stopped by a graceful deactivation or a database outage was not the stage's fault.</summary>
    private async Task ForgetStartAsync(bool save)
    {
        state.State.StageStarts = Math.Max(0, state.State.StageStarts - 1);
        if (!save)
        {
            return;
        }

        try
        {
            await GrainStorage.WriteAsync(state);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort while deactivating: at worst the start counts.
            logger.StartNotForgotten(Id, ex.GetType().Name);
        }
    }
}
