using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Billing;

/// <summary>One plan as shown on the pricing page; <c>Pricing:Plans</c> in configuration replaces the defaults.</summary>
public sealed class PlanOption
{
    public SubscriptionTier Tier { get; set; }

    public string Name { get; set; } = "";

    public decimal MonthlyPriceUsd { get; set; }

    public string Summary { get; set; } = "";
}

public sealed class PricingOptions
{
    public const string SectionName = "Pricing";

    public List<PlanOption> Plans { get; set; } = [];

    public static List<PlanOption> Defaults { get; } =
    [
        new() { Tier = SubscriptionTier.Free, Name = "Free", MonthlyPriceUsd = 0, Summary = "Try Maneiro on a few notes each month." },
        new() { Tier = SubscriptionTier.Basic, Name = "Basic", MonthlyPriceUsd = 29, Summary = "For a single clinician's regular referrals." },
        new() { Tier = SubscriptionTier.Professional, Name = "Professional", MonthlyPriceUsd = 99, Summary = "For busy practices with scanned faxes and dictation." },
        new() { Tier = SubscriptionTier.Enterprise, Name = "Enterprise", MonthlyPriceUsd = 299, Summary = "Unlimited use for clinics and groups." },
    ];

    public IReadOnlyList<PlanOption> Effective => Plans.Count > 0 ? Plans : Defaults;
}
