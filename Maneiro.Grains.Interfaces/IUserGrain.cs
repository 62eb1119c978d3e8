namespace Maneiro.Grains.Interfaces;

/// <summary>One per account, keyed by the Identity user id: subscription state and usage for the current period.</summary>
[Alias("Maneiro.User")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Holds <paramref name="amount"/> units of <paramref name="kind"/> for a job; idempotent per job and kind.</summary>
    [Alias("TryReserve")]
    Task<ReservationResult> TryReserve(UsageKind kind, string jobId, int amount);

    /// <summary>
    /// Reserves one analysis for <paramref name="jobId"/> and starts it (with the text layer the upload read, when
    /// there is one): an upload's reservation and start in one call from the web. A denial starts nothing; when the
    /// start fails the unit is released and the error thrown. The analysis is placed on this grain's silo, so its own
    /// calls here (usage, clinic) stay in the process. It interleaves: the reservation and a release are turns of their
    /// own, and the account serves other requests while the job starts (which may ask it back).
    /// </summary>
    [Alias("StartAnalysis"), Orleans.Concurrency.AlwaysInterleave]
    Task<ReservationResult> StartAnalysis(string jobId, AnalysisRequest request, UploadTextLayer? textLayer);

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

    /// <summary>Puts the account on a plan whatever Stripe event came before (its clinic's plan on joining, the free tier on leaving).</summary>
    [Alias("ReplaceSubscription")]
    Task ReplaceSubscription(SubscriptionUpdate update);

    /// <summary>Remembers the Stripe customer (and subscription) a checkout created, without changing the plan.</summary>
    [Alias("LinkStripeCustomer")]
    Task LinkStripeCustomer(string customerId, string? subscriptionId);

    /// <summary>
    /// The account's clinic, founding a clinic of one (admin and clinician) when it has none: every account made before
    /// clinics existed becomes one this way on first use, keyed by its own user id.
    /// </summary>
    [Alias("Clinic")]
    Task<string> Clinic(string email);

    /// <summary>
    /// The account's clinic (founded as <see cref="Clinic"/> does) and its seat there: what a request needs of its
    /// member, in one call from the web (the clinic is asked from here, in a cluster usually on the same silo).
    /// </summary>
    [Alias("Membership")]
    Task<UserMembership> Membership(string email);

    /// <summary>The account's clinic, or null before one is founded.</summary>
    [Alias("CurrentClinicId")]
    Task<string?> CurrentClinicId();

    /// <summary>Called by a clinic whose invitation the account accepted.</summary>
    [Alias("MoveToClinic")]
    Task MoveToClinic(string clinicId);

    /// <summary>Called by a clinic that removed the account (or that it left); its next use founds a new clinic of one.</summary>
    [Alias("LeaveClinic")]
    Task LeaveClinic(string clinicId);

    [Alias("GetSnapshot")]
    Task<UserSnapshot> GetSnapshot();

    /// <summary>Whether a recording's transcript waits for this account's review before the model reads it (the default).</summary>
    [Alias("ReviewsTranscripts")]
    Task<bool> ReviewsTranscripts();

    /// <summary>Saves the account's choice: review transcripts first, or analyze right away.</summary>
    [Alias("SetReviewsTranscripts")]
    Task SetReviewsTranscripts(bool review);

    /// <summary>The account's time zone (an IANA id), or null before one was chosen.</summary>
    [Alias("TimeZone")]
    Task<string?> TimeZone();

    /// <summary>Saves the account's time zone; <paramref name="onlyIfUnset"/> when the browser suggests it (a choice made on the account page wins).</summary>
    [Alias("SetTimeZone")]
    Task SetTimeZone(string timeZoneId, bool onlyIfUnset);

    /// <summary>Forgets the account's plan, usage and clinic (the account was erased).</summary>
    [Alias("ForgetAccount")]
    Task ForgetAccount();
}

/// <summary>An account's clinic and its seat in it, read together (<see cref="IUserGrain.Membership"/>).</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.UserMembership")]
public sealed record UserMembership(
    [property: Id(0)] string ClinicId,
    [property: Id(1)] ClinicSeat Seat);
