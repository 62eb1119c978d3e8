using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Billing;

/// <summary><c>Stripe:*</c> settings; keys come from STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET.</summary>
public sealed class BillingOptions
{
    public const string SectionName = "Stripe";

    public string? SecretKey { get; set; }

    public string? PublishableKey { get; set; }

    public string? WebhookSecret { get; set; }

    /// <summary>API base override (a local fake in tests); Stripe's own when unset.</summary>
    public string? ApiBase { get; set; }

    public long WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>Price ids per paid tier, e.g. <c>Stripe:Prices:Basic=price_…</c>.</summary>
    public Dictionary<SubscriptionTier, string> Prices { get; set; } = [];

    /// <summary>
    /// Staff members a clinic has without paying for them (<c>Stripe:FreeStaffSeats</c>); each one beyond takes a paid
    /// seat, as every clinician does.
    /// </summary>
    public int FreeStaffSeats { get; set; } = 2;

    public bool Configured => !string.IsNullOrWhiteSpace(SecretKey) && Prices.Count > 0;

    public SubscriptionTier? TierForPrice(string? priceId) =>
        Prices.FirstOrDefault(p => p.Value == priceId) is { Value: not null } match ? match.Key : null;
}
