namespace Maneiro.Infrastructure.Extraction;

/// <summary>
/// Bounded pool for CPU-heavy and process work (PDF parsing, rasterizing, OCR): about one job per core, always off
/// the Orleans scheduler. One instance per silo.
/// </summary>
public sealed class CpuWork(int? slots = null) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(slots ?? Math.Max(1, Environment.ProcessorCount));

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            // Task.Run moves the work to the thread pool even when called from a grain.
            return await Task.Run(() => work(cancellationToken), cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
