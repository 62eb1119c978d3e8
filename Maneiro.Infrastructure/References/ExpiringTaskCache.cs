using System.Collections.Concurrent;

namespace Maneiro.Infrastructure.References;

/// <summary>
/// Answers shared by key for a while: the first caller's task (started once, even when callers race) is handed to
/// every caller until it is older than <c>lifetime</c>, and at most <c>capacity</c> keys are kept, the oldest going
/// first. A long-running silo's memory then does not grow with every distinct query it has seen, and an answer from
/// long ago is asked for again.
/// </summary>
public sealed class ExpiringTaskCache<T>(TimeSpan lifetime, int capacity, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The task kept for <paramref name="key"/>, or the one <paramref name="start"/> makes, kept from now on.</summary>
    public Task<T> GetOrStart(string key, Func<Task<T>> start)
    {
        var now = time.GetUtcNow();
        while (true)
        {
            if (_entries.TryGetValue(key, out var kept))
            {
                if (now - kept.AddedAt < lifetime)
                {
                    return kept.Task.Value;
                }

                var renewed = new Entry(new Lazy<Task<T>>(start), now);
                if (_entries.TryUpdate(key, renewed, kept))
                {
                    return renewed.Task.Value;
                }
            }
            else
            {
                var added = new Entry(new Lazy<Task<T>>(start), now);
                if (_entries.TryAdd(key, added))
                {
                    TrimWhenFull();
                    return added.Task.Value;
                }
            }
        }
    }

    /// <summary>Drops <paramref name="task"/> (a failed one: the next caller asks again), unless it was replaced already.</summary>
    public void Forget(string key, Task<T> task)
    {
        if (_entries.TryGetValue(key, out var kept) && kept.Task.IsValueCreated && kept.Task.Value == task)
        {
            _entries.TryRemove(KeyValuePair.Create(key, kept));
        }
    }

    private void TrimWhenFull()
    {
        if (_entries.Count <= capacity)
        {
            return;
        }

        // Down to nine tenths, so that the sort is paid once per tenth of the capacity added, not on every add.
        var excess = _entries.Count - capacity * 9 / 10;
        foreach (var oldest in _entries.OrderBy(p => p.Value.AddedAt).Take(excess).ToList())
        {
            _entries.TryRemove(oldest);
        }
    }

    private sealed record Entry(Lazy<Task<T>> Task, DateTimeOffset AddedAt);
}
