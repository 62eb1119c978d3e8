using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Jobs;

/// <summary>An ordered list of job ids under one of the <see cref="IndexKeys"/> (a user's analyses, an analysis's letters).</summary>
[GrainType("jobindex")]
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
