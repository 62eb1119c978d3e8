namespace Maneiro.Grains.Interfaces;

[GenerateSerializer]
public enum SubscriptionTier
{
    Free = 0,
    Basic = 1,
    Professional = 2,
    Enterprise = 3,
}

[GenerateSerializer]
public enum SubscriptionStatus
{
    None = 0,
    Trialing = 1,
    Active = 2,
    PastDue = 3,
    Canceled = 4,
}

[GenerateSerializer]
public enum UsageKind
{
    Analyses = 0,
    Letters = 1,
    OcrPages = 2,
    AudioMinutes = 3,
}

/// <summary>A change to a user's subscription, usually from a Stripe event.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.SubscriptionUpdate")]
public sealed record SubscriptionUpdate(
    [property: Id(0)] SubscriptionTier Tier,
    [property: Id(1)] SubscriptionStatus Status,
    [property: Id(2)] string? StripeCustomerId,
    [property: Id(3)] string? StripeSubscriptionId,
    [property: Id(4)] DateTimeOffset? PeriodStart,
    [property: Id(5)] DateTimeOffset? PeriodEnd,
    [property: Id(6)] DateTimeOffset EventTime);

[GenerateSerializer, Immutable, Alias("Maneiro.UsageLine")]
public sealed record UsageLine(
    [property: Id(0)] UsageKind Kind,
    [property: Id(1)] int Used,
    [property: Id(2)] int? Limit);

[GenerateSerializer, Immutable, Alias("Maneiro.UserSnapshot")]
public sealed record UserSnapshot(
    [property: Id(0)] string UserId,
    [property: Id(1)] SubscriptionTier Tier,
    [property: Id(2)] SubscriptionStatus Status,
    [property: Id(3)] string? StripeCustomerId,
    [property: Id(4)] string? StripeSubscriptionId,
    [property: Id(5)] DateTimeOffset PeriodStart,
    [property: Id(6)] DateTimeOffset PeriodEnd,
    [property: Id(7)] DateTimeOffset? LastStripeEventAt,
    [property: Id(8)] IReadOnlyList<UsageLine> Usage,
    [property: Id(9)] DateTimeOffset? GraceEndsAt = null,
    [property: Id(10)] SubscriptionTier EffectiveTier = SubscriptionTier.Free);

[GenerateSerializer, Immutable, Alias("Maneiro.ReservationResult")]
public sealed record ReservationResult(
    [property: Id(0)] bool Granted,
    [property: Id(1)] string? DeniedReason)
{
    public static ReservationResult Grant() => new(true, null);

    public static ReservationResult Deny(string reason) => new(false, reason);
}
