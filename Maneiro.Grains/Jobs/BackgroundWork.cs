namespace Maneiro.Grains.Jobs;

/// <summary>
/// Long work a grain runs outside its requests (a sweep, an export): started from the grain's context so every
/// continuation stays on its scheduler, started at most once at a time, and stopped when the activation goes.
/// </summary>
public sealed class BackgroundWork : IDisposable
{
    private CancellationTokenSource _stop = new();
    private Task? _run;

    public bool IsRunning => _run is { IsCompleted: false };

    public void Start(Func<CancellationToken, Task> work)
    {
        if (IsRunning)
        {
            return;
        }

        if (_stop.IsCancellationRequested)
        {
            _stop.Dispose();
            _stop = new CancellationTokenSource();
        }

        _run = work(_stop.Token);
    }

    /// <summary>
    /// Asks the running work to stop and starts <paramref name="work"/> once it has, without waiting here: the work being
    /// stopped may itself be waiting for the caller (a grain call queued behind the one making this change).
    /// </summary>
    public void Replace(Func<CancellationToken, Task> work)
    {
        var previous = _run;
        _stop.Cancel();
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _run = AfterAsync(previous, work, token);
    }

    private static async Task AfterAsync(Task? previous, Func<CancellationToken, Task> work, CancellationToken token)
    {
        if (previous is not null)
        {
            try
            {
                await previous;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Its own failure was handled (logged) where it ran; this work goes on regardless.
            }
        }

        await work(token);
    }

    /// <summary>Asks the work to stop and waits for it, at most <paramref name="wait"/>.</summary>
    public async Task StopAsync(TimeSpan wait)
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await Task.WhenAny(_run, Task.Delay(wait, CancellationToken.None));
        }
    }

    public void Dispose() => _stop.Dispose();
}
