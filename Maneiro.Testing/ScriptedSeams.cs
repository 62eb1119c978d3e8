using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;

namespace Maneiro.Testing;

/// <summary>A letter writer behind the <see cref="ILetterWriter"/> seam: always the sample draft.</summary>
public sealed class ScriptedLetterWriter : ILetterWriter
{
    public Task<LetterWriterOutput> DraftAsync(LetterRequest request, LetterContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new LetterWriterOutput(LetterSamples.Draft(), 800));
}

/// <summary>
/// The job auditor behind its seam, with a gate on the letter's "finished" row: the bookkeeping a job does after its
/// outcome is saved can be held open, to see what callers meet meanwhile.
/// </summary>
public sealed class GatedAuditor : IJobAuditor
{
    private TaskCompletionSource? _hold;
    private int _held;

    public int HeldLetters => Volatile.Read(ref _held);

    public void HoldLetters() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    public Task JobFinishedAsync(string ownerId, string jobId, bool succeeded, string? failureMessage, TimeSpan duration, int tokens, string specialty) => Task.CompletedTask;

    public async Task LetterFinishedAsync(string ownerId, string letterId, bool succeeded, string? failureMessage, TimeSpan duration)
    {
        if (_hold is { } hold)
        {
            Interlocked.Increment(ref _held);
            await hold.Task;
            Interlocked.Decrement(ref _held);
        }
    }

    public Task IntakeTriagedAsync(string clinicId, string uploaderId, string itemId, bool succeeded, string? failureMessage, TimeSpan duration, int tokens) => Task.CompletedTask;

    /// <summary>The sweeps reported finished, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string ClinicId, SweepReport Report)> Sweeps { get; } = new();

    public Task RetentionSweptAsync(string clinicId, SweepReport report)
    {
        Sweeps.Enqueue((clinicId, report));
        return Task.CompletedTask;
    }

    public Task UsageRefusedAsync(string ownerId, string jobId, UsageKind kind, string? clinicId) => Task.CompletedTask;
}

/// <summary>The triage model behind the <see cref="IIntakeTriager"/> seam: each call takes the next scripted step (an answer or an exception); the last repeats.</summary>
public sealed class ScriptedTriager : IIntakeTriager
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Func<string>> _steps = new();
    private Func<string> _last = () => throw new InvalidOperationException("No step scripted.");
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public void Script(params Func<string>[] steps)
    {
        _steps.Clear();
        foreach (var step in steps)
        {
            _steps.Enqueue(step);
        }
    }

    public Task<TriageOutput> TriageAsync(string text, IReadOnlyList<string> clinicianEmails, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (_steps.TryDequeue(out var step))
        {
            _last = step;
        }

        return Task.FromResult(new TriageOutput(Maneiro.Grains.Domain.Inbox.TriageDocument.Parse(_last()).Document!, 900));
    }
}
