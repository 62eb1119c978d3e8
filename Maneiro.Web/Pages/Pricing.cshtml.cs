using System.Globalization;
using System.Security.Claims;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Billing;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Pages;

public sealed class PricingModel(IOptions<PricingOptions> pricing, IOptions<UsageLimitsOptions> limits, IOptions<Maneiro.Web.Billing.BillingOptions> billing, IGrainFactory grains) : PageModel
{
    public int FreeStaffSeats => billing.Value.FreeStaffSeats;

    public IReadOnlyList<PlanOption> Plans => pricing.Value.Effective;

    public SubscriptionTier? CurrentTier { get; private set; }

    public bool SignedIn => User.Identity?.IsAuthenticated == true;

    public TierLimits LimitsFor(SubscriptionTier tier) => limits.Value.For(tier);

    public static string Describe(int? limit, string what) =>
        limit is { } n ? string.Create(CultureInfo.InvariantCulture, $"{n} {what} a month") : $"Unlimited {what}";

    public async Task OnGetAsync()
    {
        if (User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            CurrentTier = (await grains.GetGrain<IUserGrain>(userId).GetSnapshot()).Tier;
        }
    }
}
