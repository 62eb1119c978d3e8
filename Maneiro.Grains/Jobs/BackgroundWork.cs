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
