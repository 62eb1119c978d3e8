using System.Diagnostics;
using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Maneiro.Grains.Jobs;

/// <summary>
/// Runs a job as a sequence of saved stages, shared by analyses and letters. Each stage is saved before its work starts
/// and its output after it ends, so after a crash the job resumes at the first unfinished stage (a reminder brings it
/// back; activation resumes it). Subclasses are reentrant so status reads interleave with the long awaits; only the
/// stage loop writes state. Transient service failures are retried, a database outage is waited out.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source is disposed when the activation deactivates.")]
public abstract partial class StagedJobGrain<TState>(IPersistentState<TState> state, IJobProgressPublisher progress, ManeiroTelemetry telemetry, TimeProvider time, ILogger logger) : Grain, IRemindable
    where TState : class, IStagedJobState
{
    private const string ResumeReminder = "resume";
    private CancellationTokenSource _stop = new();
    private Task? _run;
    private bool _cancelRequested;
    private IGrainTimer? _retry;

    protected IPersistentState<TState> State => state;

    protected TimeProvider Time => time;

    protected string Id => this.GetPrimaryKeyString();

    /// <summary>Whether a job was ever started under this key.</summary>
    protected abstract bool Exists { get; }

    protected abstract string OwnerId { get; }

    /// <summary>Key under which this run's usage is reserved and committed on the user grain.</summary>
    protected virtual string UsageKey => Id;

    protected IUserGrain User => GrainFactory.GetGrain<IUserGrain>(OwnerId);

    /// <summary>Does the stage's work and returns the stage that follows (<see cref="JobStage.Complete"/> at the end).</summary>
    protected abstract Task<JobStage> RunStageAsync(JobStage stage, CancellationToken cancellation);

    protected abstract int PercentAt(JobStage stage);

    /// <summary>What kind of job this is, for metrics and spans ("analysis", "letter").</summary>
    protected abstract string JobKind { get; }

    protected ManeiroTelemetry Telemetry => telemetry;

    /// <summary>Writes the audit row for a finished run (not called for cancellations).</summary>
    protected abstract Task AuditFinishedAsync(bool succeeded, string? failureMessage, TimeSpan duration);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Exists && !IsTerminal(state.State.Stage))
        {
            LogResuming(Id, state.State.Stage);
            EnsureRunning();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Stop the work without recording a failure: the reminder resumes it elsewhere.
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        }

        _stop.Dispose();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Exists || IsTerminal(state.State.Stage))
        {
            await UnregisterResumeAsync();
            return;
        }

        EnsureRunning();
    }

    /// <summary>Saves the first stage of a run, registers the resume reminder and reserves usage; then runs, or fails when the plan says no.</summary>
    protected async Task LaunchAsync(JobStage first, UsageKind kind)
    {
        state.State.Stage = first;
        state.State.FailureMessage = null;
        state.State.Attempts = 0;
        await GrainStorage.WriteAsync(state);
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        var reservation = await User.TryReserve(kind, UsageKey, 1);
        if (!reservation.Granted)
        {
            await FailAsync(reservation.DeniedReason ?? "Your plan's allowance is used up for this period.");
            return;
        }

        EnsureRunning();
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
            await FinishAsync(JobStage.Canceled, "Canceled by you.");
        }

        return true;
    }

    protected void EnsureRunning()
    {
        if (_run is { IsCompleted: false })
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

    protected bool IsRunning => _run is { IsCompleted: false };

    private async Task RunAsync(CancellationToken stop)
    {
        var s = state.State;

        // Every log line of the run names the job and its owner (ids only, never content).
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = Id, ["UserId"] = OwnerId });
        try
        {
            while (!IsTerminal(s.Stage))
            {
                stop.ThrowIfCancellationRequested();
                try
                {
                    var stage = s.Stage;
                    await BeginAsync(stage);
                    var started = time.GetTimestamp();
                    JobStage next;
                    using (var activity = telemetry.Source.StartActivity($"{JobKind} {stage}"))
                    {
                        activity?.SetTag("maneiro.job.kind", JobKind);
                        activity?.SetTag("maneiro.job.id", Id);
                        activity?.SetTag("maneiro.job.stage", stage.ToString());
                        next = await RunStageAsync(stage, stop);
                    }

                    telemetry.StageFinished(JobKind, stage, time.GetElapsedTime(started));
                    s.Attempts = 0;
                    if (next == JobStage.Complete)
                    {
                        await User.Commit(UsageKey);
                        await FinishAsync(JobStage.Complete, null);
                    }
                    else
                    {
                        StageHistory.Close(s.History, stage, time.GetUtcNow());
                        s.Stage = next;
                        await GrainStorage.WriteAsync(state);
                    }
                }
                catch (Exception ex) when (JobFailurePolicy.IsTransient(ex) && !stop.IsCancellationRequested)
                {
                    s.Attempts++;
                    LogTransientFailure(Id, s.Stage, s.Attempts, ex.GetType().Name);
                    if (JobFailurePolicy.Classify(ex, s.Attempts) == FailureAction.GiveUp)
                    {
                        await FailAsync(JobFailurePolicy.GaveUpMessage);
                        return;
                    }

                    await GrainStorage.WriteAsync(state);
                    await Task.Delay(JobFailurePolicy.RetryDelay(s.Attempts), stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (_cancelRequested && !IsTerminal(s.Stage))
            {
                await FinishAsync(JobStage.Canceled, "Canceled by you.");
            }
        }
        catch (Exception ex)
        {
            await HandleFailureAsync(ex);
        }
    }

    private async Task HandleFailureAsync(Exception ex)
    {
        var s = state.State;
        switch (JobFailurePolicy.Classify(ex, s.Attempts))
        {
            case FailureAction.FailWithMessage:
                await FailAsync(ex.Message);
                break;
            case FailureAction.WaitForStorage:
                // The database is away: try again shortly from the last saved stage (the reminder is the backstop).
                LogTransientFailure(Id, s.Stage, s.Attempts, ex.GetType().Name);
                RetrySoon();
                break;
            case FailureAction.Reload:
                DeactivateOnIdle();
                break;
            default:
                LogUnexpected(ex, Id, s.Stage);
                if (!IsTerminal(s.Stage))
                {
                    await FailAsync(JobFailurePolicy.UnexpectedMessage);
                }

                break;
        }
    }

    private void RetrySoon()
    {
        _retry?.Dispose();
        _retry = this.RegisterGrainTimer(
            () =>
            {
                EnsureRunning();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    private async Task BeginAsync(JobStage stage)
    {
        var s = state.State;
        s.Stage = stage;
        s.Percent = PercentAt(stage);
        StageHistory.Begin(s.History, stage, time.GetUtcNow());

        await GrainStorage.WriteAsync(state);
        await PublishAsync();
    }

    protected async Task FailAsync(string message)
    {
        await User.Release(UsageKey);
        await FinishAsync(JobStage.Failed, message);
    }

    private async Task FinishAsync(JobStage final, string? error)
    {
        var s = state.State;
        if (final == JobStage.Canceled)
        {
            await User.Release(UsageKey);
        }

        StageHistory.Finish(s.History, s.Stage, final, time.GetUtcNow());
        s.Stage = final;
        s.FailureMessage = error;
        s.Percent = final == JobStage.Complete ? 100 : s.Percent;
        await GrainStorage.WriteAsync(state);

        // The outcome is saved; what follows is bookkeeping that must never change it.
        var duration = time.GetUtcNow() - StageHistory.RunStart(s.History);
        telemetry.JobFinished(JobKind, final, duration);
        LogFinished(JobKind, Id, final, (long)duration.TotalMilliseconds);
        try
        {
            await UnregisterResumeAsync();
            await PublishAsync();
            if (final != JobStage.Canceled)
            {
                await AuditFinishedAsync(final == JobStage.Complete, error, duration);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAfterFinishFailed(Id, ex.GetType().Name);
        }
    }

    protected async Task UnregisterResumeAsync()
    {
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    protected async Task PublishAsync()
    {
        var s = state.State;
        try
        {
            await progress.PublishAsync(new JobProgress(Id, OwnerId, s.Stage, s.Percent, s.FailureMessage, time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Progress is a courtesy; the saved state is the truth and pages read it on reconnect.
            LogPublishFailed(Id, ex.GetType().Name);
        }
    }

    protected static bool IsTerminal(JobStage stage) => JobStages.IsTerminal(stage);

    [LoggerMessage(Level = LogLevel.Information, Message = "{JobKind} {JobId} finished: {Outcome} after {DurationMs} ms")]
    private partial void LogFinished(string jobKind, string jobId, JobStage outcome, long durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming job {JobId} at stage {Stage}")]
    private partial void LogResuming(string jobId, JobStage stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} stage {Stage} attempt {Attempt} failed: {ErrorType}")]
    private partial void LogTransientFailure(string jobId, JobStage stage, int attempt, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed unexpectedly at stage {Stage}")]
    private partial void LogUnexpected(Exception exception, string jobId, JobStage stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} finished, but its bookkeeping failed: {ErrorType}")]
    private partial void LogAfterFinishFailed(string jobId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress for job {JobId} could not be published: {ErrorType}")]
    private partial void LogPublishFailed(string jobId, string errorType);
}
