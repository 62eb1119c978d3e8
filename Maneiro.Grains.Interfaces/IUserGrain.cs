namespace Maneiro.Grains.Interfaces;

/// <summary>One per account, keyed by the Identity user id: subscription state and usage for the current period.</summary>
[Alias("Maneiro.User")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Holds <paramref name="amount"/> units of <paramref name="kind"/> for a job; idempotent per job and kind.</summary>
    [Alias("TryReserve")]
    Task<ReservationResult> TryReserve(UsageKind kind, string jobId, int amount);

    /// <summary>Turns the job's held units into used units; idempotent.</summary>
    [Alias("Commit")]
    Task Commit(string jobId);

    /// <summary>Turns the job's held units of one kind into used units (a stage's work is done); idempotent.</summary>
    [Alias("CommitKind")]
    Task CommitKind(string jobId, UsageKind kind);

    /// <summary>Gives back the job's held (uncommitted) units; idempotent.</summary>
    [Alias("Release")]
    Task Release(string jobId);

    /// <summary>Applies a subscription change unless a newer one was already applied. Returns whether it changed anything.</summary>
    [Alias("ApplySubscription")]
    Task<bool> ApplySubscription(SubscriptionUpdate update);

    /// <summary>Remembers the Stripe customer (and subscription) a checkout created, without changing the plan.</summary>
    [Alias("LinkStripeCustomer")]
    Task LinkStripeCustomer(string customerId, string? subscriptionId);

    [Alias("GetSnapshot")]
    Task<UserSnapshot> GetSnapshot();
}
