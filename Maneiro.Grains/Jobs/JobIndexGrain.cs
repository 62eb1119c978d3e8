using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;

namespace Maneiro.Grains.Jobs;

/// <summary>
/// An ordered list of job ids under one of the <see cref="IndexKeys"/> (a user's analyses, an analysis's letters), kept
/// in the job index table: one row per entry, so an add or a page costs the same however long the history. Reentrant:
/// each call is one statement, so a page being read need not wait for another caller's add.
/// </summary>
[Orleans.Concurrency.Reentrant]
[GrainType("jobindex")]
public sealed class JobIndexGrain([PersistentState("jobs", GrainStorage.Name)] IPersistentState<JobIndexState> state, IJobIndexStore store) : Grain, IJobIndexGrain
{
    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A list saved as grain state (before the table): moved into the table once, then the state is cleared.
        if (state.State.Jobs.Count > 0)
        {
            await store.AddAsync(Key, state.State.Jobs.Select(j => (j.JobId, j.CreatedAt)).ToList());
            await state.ClearStateAsync(cancellationToken);
        }
    }

    public Task Add(string jobId, DateTimeOffset createdAt) => store.AddAsync(Key, [(jobId, createdAt)]);

    public Task Remove(string jobId) => store.RemoveAsync(Key, jobId);

    public Task<IReadOnlyList<string>> Page(int skip, int take) => store.PageAsync(Key, skip, take);

    public Task<int> Count() => store.CountAsync(Key);
}
