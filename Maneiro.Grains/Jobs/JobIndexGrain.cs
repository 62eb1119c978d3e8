using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Jobs;

[GenerateSerializer, Alias("Maneiro.JobIndexState")]
public sealed class JobIndexState
{
    /// <summary>Job ids with their creation time, oldest first.</summary>
    [Id(0)] public List<JobIndexEntry> Jobs { get; set; } = [];
}

[GenerateSerializer, Alias("Maneiro.JobIndexEntry")]
public sealed record JobIndexEntry([property: Id(0)] string JobId, [property: Id(1)] DateTimeOffset CreatedAt);

/// <summary>One per user (keyed like the user grain): the user's jobs for the history page.</summary>
public sealed class JobIndexGrain([PersistentState("jobs", GrainStorage.Name)] IPersistentState<JobIndexState> state) : Grain, IJobIndexGrain
{
    public async Task Add(string jobId, DateTimeOffset createdAt)
    {
        if (state.State.Jobs.Any(j => j.JobId == jobId))
        {
            return;
        }

        state.State.Jobs.Add(new JobIndexEntry(jobId, createdAt));
        await GrainStorage.WriteAsync(state);
    }

    public async Task Remove(string jobId)
    {
        if (state.State.Jobs.RemoveAll(j => j.JobId == jobId) > 0)
        {
            await GrainStorage.WriteAsync(state);
        }
    }

    public Task<IReadOnlyList<string>> Page(int skip, int take) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Jobs.OrderByDescending(j => j.CreatedAt).Skip(skip).Take(take).Select(j => j.JobId).ToList());

    public Task<int> Count() => Task.FromResult(state.State.Jobs.Count);
}
