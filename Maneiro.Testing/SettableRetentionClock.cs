using Maneiro.Grains.Services;

namespace Maneiro.Testing;

/// <summary>The sweeper's clock for tests: the real time, or the moment a test sets, to sweep "as of" a later day.</summary>
public sealed class SettableRetentionClock : IRetentionClock
{
    private long _asOfTicks;

    /// <summary>Null: the real time.</summary>
    public DateTimeOffset? AsOf
    {
        get => Interlocked.Read(ref _asOfTicks) is var t and not 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _asOfTicks, value?.UtcTicks ?? 0);
    }

    public DateTimeOffset Now => AsOf ?? DateTimeOffset.UtcNow;
}
