using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace Maneiro.Grains.Users;

public sealed class UserGrain(
    [PersistentState("user", GrainStorage.Name)] IPersistentState<UserState> state,
    IOptions<UsageLimitsOptions> limits,
    TimeProvider time) : Grain, IUserGrain
{
    private UsageLedger Ledger => new(state.State, limits.Value, time.GetUtcNow());

    public async Task<ReservationResult> TryReserve(UsageKind kind, string jobId, int amount)
    {
        var (result, changed) = Ledger.TryReserve(kind, jobId, amount);
        await SaveIf(changed);
        return result;
    }

    public Task Commit(string jobId) => SaveIf(Ledger.Commit(jobId));

    public Task Release(string jobId) => SaveIf(Ledger.Release(jobId));

    public async Task<bool> ApplySubscription(SubscriptionUpdate update)
    {
        var applied = Ledger.Apply(update);
        await SaveIf(applied);
        return applied;
    }

    public Task LinkStripeCustomer(string customerId, string? subscriptionId) => SaveIf(Ledger.LinkCustomer(customerId, subscriptionId));

    public async Task<UserSnapshot> GetSnapshot()
    {
        var ledger = Ledger;
        await SaveIf(ledger.EnsurePeriod());
        return ledger.Snapshot(this.GetPrimaryKeyString());
    }

    private Task SaveIf(bool changed) => changed ? GrainStorage.WriteAsync(state) : Task.CompletedTask;
}
