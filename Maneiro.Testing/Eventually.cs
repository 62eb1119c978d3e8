namespace Maneiro.Testing;

/// <summary>
/// The one way tests wait for something asynchronous: poll a probe until it says done, or fail after a generous
/// bound naming what never happened. Never a fixed sleep used as a timing window.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value, and returns that value.</summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        T value;
        while (true)
        {
            value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting until {what}; last value: {value}");
            }

            await Task.Delay(Interval);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        ReturnsAsync(condition, ok => ok, what, timeout);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        ReturnsAsync(() => Task.FromResult(condition()), ok => ok, what, timeout);
}
