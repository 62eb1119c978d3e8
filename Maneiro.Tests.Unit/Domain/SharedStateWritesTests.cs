using Maneiro.Grains;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Domain;

/// <summary>
/// An account grain's state writes: changes made while a write is in flight share the next one, nobody returns before
/// a write that includes their change is saved, and a failure reaches exactly the callers whose write failed.
/// </summary>
public sealed class SharedStateWritesTests
{
    /// <summary>
    /// A storage whose writes wait until the test lets each go, recording the state each one saved. Its continuations
    /// run on the thread pool, so its queue is locked; the test calls the writes only while they wait at a gate.
    /// </summary>
    private sealed class GatedStorage
    {
        private readonly Lock _lock = new();
        private readonly Queue<TaskCompletionSource> _gates = new();

        public int State { get; set; }

        public List<int> Saved { get; } = [];

        public List<string> Operations { get; } = [];

        public int Waiting
        {
            get
            {
                lock (_lock)
                {
                    return _gates.Count;
                }
            }
        }

        public Task WriteAsync() => Gate("write", State);

        public Task ClearAsync() => Gate("clear", 0);

        public void Release() => Next().SetResult();

        public void Fail(Exception error) => Next().SetException(error);

        private TaskCompletionSource Next()
        {
            lock (_lock)
            {
                return _gates.Dequeue();
            }
        }

        private async Task Gate(string operation, int snapshot)
        {
            // What a storage provider does: the state is serialized when the write starts.
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                Operations.Add(operation);
                _gates.Enqueue(gate);
            }

            await gate.Task;
            Saved.Add(snapshot);
        }
    }

    [Fact]
    public async Task Changes_made_while_a_write_is_in_flight_share_the_next_write()
    {
        var storage = new GatedStorage();
        var writes = new SharedStateWrites(storage.WriteAsync);

        storage.State = 1;
        var first = writes.WriteAsync();
        storage.State = 2;
        var second = writes.WriteAsync();
        storage.State = 3;
        var third = writes.WriteAsync();
        Assert.Same(second, third);
        Assert.Equal(1, storage.Waiting);

        storage.Release();
        await first;
        Assert.False(second.IsCompleted);
        await Eventually.TrueAsync(() => storage.Waiting == 1, "the shared write started");
        storage.Release();
        await Task.WhenAll(second, third);

        Assert.Equal([1, 3], storage.Saved);
    }

    [Fact]
    public async Task A_write_asked_for_once_the_queued_one_started_gets_a_write_of_its_own()
    {
        var storage = new GatedStorage();
        var writes = new SharedStateWrites(storage.WriteAsync);
        var first = writes.WriteAsync();
        var second = writes.WriteAsync();
        storage.Release();
        await first;
        await Eventually.TrueAsync(() => storage.Waiting == 1, "the second write started");

        storage.State = 7;
        var third = writes.WriteAsync();
        Assert.NotSame(second, third);
        storage.Release();
        await second;
        Assert.False(third.IsCompleted);
        await Eventually.TrueAsync(() => storage.Waiting == 1, "the third write started");
        storage.Release();
        await third;
        Assert.Equal([0, 0, 7], storage.Saved);
    }

    [Fact]
    public async Task A_failed_write_fails_its_callers_only_and_the_next_write_still_runs()
    {
        var storage = new GatedStorage();
        var writes = new SharedStateWrites(storage.WriteAsync);
        var first = writes.WriteAsync();
        var second = writes.WriteAsync();

        storage.Fail(new InvalidOperationException("database gone"));
        Assert.Equal("database gone", (await Assert.ThrowsAsync<InvalidOperationException>(() => first)).Message);
        await Eventually.TrueAsync(() => storage.Waiting == 1, "the next write started");
        storage.Release();
        await second;
    }

    [Fact]
    public async Task Another_operation_runs_after_the_writes_asked_for_before_it_and_before_those_asked_for_after()
    {
        var storage = new GatedStorage();
        var writes = new SharedStateWrites(storage.WriteAsync);
        var first = writes.WriteAsync();
        var queued = writes.WriteAsync();
        var clear = writes.RunAsync(storage.ClearAsync);
        var after = writes.WriteAsync();
        Assert.NotSame(queued, after);

        for (var i = 0; i < 4; i++)
        {
            await Eventually.TrueAsync(() => storage.Waiting == 1, "the next operation started");
            storage.Release();
        }

        await Task.WhenAll(first, queued, clear, after);
        Assert.Equal(["write", "write", "clear", "write"], storage.Operations);
    }
}
