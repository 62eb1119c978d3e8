using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>
/// Every silo, once a minute, wakes the jobs that have been on the unfinished list (<see cref="IUnfinishedJobs"/>)
/// for a minute without being woken: the call activates a job whose silo died (activation resumes its run) and is
/// nothing to one still running. Every silo sweeps, so the sweep goes on while any silo lives; two silos waking the
/// same job is harmless.
/// </summary>
public sealed partial class UnfinishedJobSweep(IUnfinishedJobs unfinished, IGrainFactory grains, TimeProvider time, ILogger<UnfinishedJobSweep> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    // Jobs woken together: a backlog after an outage resumes at a pace the silos can take.
    private const int InParallel = 16;
    private const int PerSweep = 2000;

    /// <summary>Wakes the jobs on the list since before <paramref name="cutoff"/> (each woken job moves to the end); returns how many answered.</summary>
    public async Task<int> SweepAsync(DateTimeOffset cutoff, CancellationToken cancellation)
    {
        var woken = 0;
        foreach (var batch in (await unfinished.AddedBeforeAsync(cutoff, PerSweep)).Chunk(InParallel))
        {
            cancellation.ThrowIfCancellationRequested();
            woken += (await Task.WhenAll(batch.Select(WakeAsync))).Count(answered => answered);
        }

        return woken;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(time.GetUtcNow() - Every, stoppingToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
            {
                // Redis away, say: the next tick tries again.
                LogSweepFailed(ex.GetType().Name);
            }
        }
    }

    private async Task<bool> WakeAsync(GrainId job)
    {
        try
        {
            await grains.GetGrain<IResumableJob>(job).Wake();
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The job stays on the list: the next sweep wakes it again.
            LogWakeFailed(job.ToString(), ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep of unfinished jobs failed: {ErrorType}")]
    private partial void LogSweepFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unfinished job {Job} could not be woken: {ErrorType}")]
    private partial void LogWakeFailed(string job, string errorType);
}
