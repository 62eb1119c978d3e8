using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;

namespace Maneiro.Grains.Jobs;

/// <summary>What a staged job does around its outcome, and what else must happen.</summary>
public interface IJobOutcomeHooks
{
    /// <summary>Takes the job off the unfinished list (<see cref="IUnfinishedJobs"/>): nothing is left to resume.</summary>
    Task EndUnfinishedAsync();

    /// <summary>Writes the audit row of a finished run (not called for cancellations).</summary>
    Task AuditFinishedAsync(bool succeeded, string? failureMessage, TimeSpan duration);
}

/// <summary>
/// Records a staged job's progress: each stage saved as it begins and ends, and the outcome saved before any
/// bookkeeping (usage, metrics, progress push, audit) that must never change it. One per activation, composed by
/// <see cref="StagedJobGrain{TState}"/>; it saves and publishes, it never decides.
/// </summary>
public sealed class JobRecorder(
    JobIdentity job,
    IStagedJobState state,
    Func<Task> save,
    IJobOutcomeHooks hooks,
    IJobProgressPublisher progress,
    ManeiroTelemetry telemetry,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Saves the stage as (re)started, its start counted, before any of its work runs.</summary>
    public async Task BeginAsync(JobStage stage, int percent)
    {
        MarkBegun(state, stage, percent, time.GetUtcNow());
        await save();
        await PublishAsync();
    }

    /// <summary>Marks the stage as (re)started in the state, its start counted; the caller saves it.</summary>
    public static void MarkBegun(IStagedJobState state, JobStage stage, int percent, DateTimeOffset now)
    {
        state.StageStarts++;
        state.Stage = stage;
        state.Percent = percent;
        StageHistory.Begin(state.History, stage, now);
    }

    /// <summary>Runs one stage's work inside its span and records its duration.</summary>
    public async Task<JobStage> TracedAsync(JobStage stage, Func<Task<JobStage>> work)
    {
        var started = time.GetTimestamp();
        using var activity = telemetry.Source.StartActivity($"{job.Kind} {stage}");
        activity?.SetTag("maneiro.job.kind", job.Kind);
        activity?.SetTag("maneiro.job.id", job.Id);
        activity?.SetTag("maneiro.job.stage", stage.ToString());
        var next = await work();
        telemetry.StageFinished(job.Kind, stage, time.GetElapsedTime(started));
        return next;
    }

    /// <summary>
    /// Closes the finished stage and opens the next in one save: "X ended" and "Y began" are the same moment. With
    /// <paramref name="saved"/> false the next stage is opened and announced but saved only with its own end (see
    /// <see cref="StagedJobGrain{TState}.SavesItsBegin"/>).
    /// </summary>
    public async Task AdvanceAsync(JobStage finished, JobStage next, int nextPercent, bool saved = true)
    {
        StageHistory.Close(state.History, finished, time.GetUtcNow());
        state.Stage = next;
        state.StageStarts = 1;
        state.Percent = nextPercent;
        StageHistory.Begin(state.History, next, time.GetUtcNow());
        if (saved)
        {
            await save();
        }

        await PublishAsync();
    }

    public async Task CompleteAsync()
    {
        await job.User.Commit(job.UsageKey);
        await FinishAsync(JobStage.Complete, null);
    }

    public async Task FailAsync(string message)
    {
        await job.User.Release(job.UsageKey);
        await FinishAsync(JobStage.Failed, message);
    }

    public async Task CancelAsync()
    {
        await job.User.Release(job.UsageKey);
        await FinishAsync(JobStage.Canceled, "Canceled by you.");
    }

    /// <summary>Counts a transient failure of the current stage; returns whether to try again (false: the job failed for good).</summary>
    public async Task<bool> RecordAttemptAsync(Exception ex)
    {
        state.Attempts++;
        logger.TransientFailure(job.Id, state.Stage, state.Attempts, JobFailurePolicy.Describe(ex));
        if (JobFailurePolicy.Classify(ex, state.Attempts) == FailureAction.GiveUp)
        {
            await FailAsync(JobFailurePolicy.GaveUpMessage);
            return false;
        }

        await save();
        return true;
    }

    /// <summary>Records what an error that stopped the run means (see <see cref="JobFailurePolicy"/>) and returns it; waiting and reloading are the grain's to do.</summary>
    public async Task<FailureAction> RecordFailureAsync(Exception ex)
    {
        var action = JobFailurePolicy.Classify(ex, state.Attempts);
        switch (action)
        {
            case FailureAction.FailWithMessage:
                await FailAsync(ex.Message);
                break;
            case FailureAction.ToolTimedOut:
                await FailAsync(ToolTimedOutException.UserMessage);
                break;
            case FailureAction.WaitForStorage:
                logger.TransientFailure(job.Id, state.Stage, state.Attempts, JobFailurePolicy.Describe(ex));
                break;
            case FailureAction.Reload:
                logger.Reloading(job.Id, state.Stage);
                break;
            default:
                logger.Unexpected(ex, job.Id, state.Stage);
                if (!JobStages.IsTerminal(state.Stage))
                {
                    await FailAsync(JobFailurePolicy.UnexpectedMessage);
                }

                break;
        }

        return action;
    }

    public async Task PublishAsync()
    {
        try
        {
            await progress.PublishAsync(new JobProgress(job.Id, job.OwnerId, state.Stage, state.Percent, state.FailureMessage, time.GetUtcNow(), job.Follower));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Progress is a courtesy; the saved state is the truth and pages read it on reconnect.
            logger.PublishFailed(job.Id, ex.GetType().Name);
        }
    }

    private async Task FinishAsync(JobStage outcome, string? error)
    {
        StageHistory.Finish(state.History, state.Stage, outcome, time.GetUtcNow());
        state.Stage = outcome;
        state.FailureMessage = error;
        state.Percent = outcome == JobStage.Complete ? 100 : state.Percent;
        await save();

        // The outcome is saved; what follows is bookkeeping that must never change it.
        var duration = time.GetUtcNow() - StageHistory.RunStart(state.History);
        telemetry.JobFinished(job.Kind, outcome, duration);
        logger.Finished(job.Kind, job.Id, outcome, (long)duration.TotalMilliseconds);
        try
        {
            await hooks.EndUnfinishedAsync();
            await PublishAsync();
            if (outcome != JobStage.Canceled)
            {
                await hooks.AuditFinishedAsync(outcome == JobStage.Complete, error, duration);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.AfterFinishFailed(job.Id, ex.GetType().Name);
        }
    }
}

/// <summary>Who a run belongs to: its id, kind ("analysis", "letter"), owner, and the key its usage is held under.</summary>
public sealed record JobIdentity(string Id, string Kind, string OwnerId, string UsageKey, IUserGrain User, string? Follower = null);
