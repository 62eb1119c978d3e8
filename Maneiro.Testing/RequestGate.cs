namespace Maneiro.Testing;

/// <summary>
/// A gate a fake server's requests pass: closed by <see cref="Hold"/>, every request waits at it until
/// <see cref="Release"/>, so a test decides when an answer is given instead of racing it.
/// </summary>
public sealed class RequestGate
{
    private readonly object _lock = new();
    private TaskCompletionSource? _hold;
    private int _held;

    /// <summary>Requests waiting at the closed gate right now.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    public void Hold()
    {
        lock (_lock)
        {
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Opens the gate: held requests are answered, and new ones are not held.</summary>
    public void Release()
    {
        TaskCompletionSource? hold;
        lock (_lock)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    /// <summary>Waits until at least <paramref name="count"/> requests are held.</summary>
    public Task WaitUntilHeldAsync(int count, string what) => Eventually.TrueAsync(() => Held >= count, $"{count} request(s) reached the held {what}");

    public async Task PassAsync()
    {
        Task? wait;
        lock (_lock)
        {
            wait = _hold?.Task;
            if (wait is not null)
            {
                _held++;
            }
        }

        if (wait is null)
        {
            return;
        }

        try
        {
            // A held request whose caller went away (a stopped silo) still leaves the gate when it opens.
            await wait;
        }
        finally
        {
            lock (_lock)
            {
                _held--;
            }
        }
    }
}
