namespace Maneiro.Grains;

/// <summary>
/// A grain's state writes, one at a time and shared: a change made while a write is in flight is carried by the next
/// write, which every change made before it starts shares. Callers still return only once a write that includes their
/// change is saved (or see its failure). Other storage operations (a clear) queue in order between writes. Used from
/// one activation's turns (its single-threaded scheduler), so it needs no lock.
/// </summary>
public sealed class SharedStateWrites(Func<Task> write)
{
    // The last operation queued (never faulted: each caller's task carries its own outcome).
    private Task _tail = Task.CompletedTask;

    // A write queued behind the one in flight and not started yet: later changes join it.
    private TaskCompletionSource? _queued;

    /// <summary>Saves the state as it is when the write starts: the write already queued, or a new one.</summary>
    public Task WriteAsync()
    {
        if (_queued is { } queued)
        {
            return queued.Task;
        }

        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queued = next;
        _tail = RunAfterAsync(_tail, write, next, startsWrite: true);
        return next.Task;
    }

    /// <summary>Runs another storage operation after every write asked for so far and before any asked for later.</summary>
    public Task RunAsync(Func<Task> operation)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queued = null;
        _tail = RunAfterAsync(_tail, operation, done, startsWrite: false);
        return done.Task;
    }

    private async Task RunAfterAsync(Task previous, Func<Task> operation, TaskCompletionSource done, bool startsWrite)
    {
        await previous;
        if (startsWrite && _queued == done)
        {
            // From here on a change needs a write after this one.
            _queued = null;
        }

        try
        {
            await operation();
            done.SetResult();
        }
        catch (Exception ex)
        {
            done.SetException(ex);
        }
    }
}
