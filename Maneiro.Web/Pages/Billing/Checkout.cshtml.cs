using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Billing;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Pages.Billing;

/// <summary>Starts a Stripe Checkout for a paid plan and sends the browser there.</summary>
public sealed class CheckoutModel(StripeGateway stripe, SeatBilling seats, IOptions<BillingOptions> options, UserManager<ManeiroUser> users, IGrainFactory grains, Clinics.ClinicMembership memberships, AuditTrail audit, Maneiro.Grains.Observability.ManeiroTelemetry telemetry, Maneiro.Web.Security.PublicOrigin publicOrigin) : PageModel
{
    public string Message { get; private set; } = "";

    public IActionResult OnGet() => RedirectToPage("/Pricing");

    public async Task<IActionResult> OnPostAsync(SubscriptionTier tier)
    {
        if (tier == SubscriptionTier.Free || !options.Value.Prices.ContainsKey(tier))
        {
            Message = "That plan cannot be bought online. Choose Basic, Professional or Enterprise.";
            return Page();
        }

        if (!options.Value.Configured)
        {
            Message = "Online payment is not set up on this server yet. Please contact us to upgrade.";
            return Page();
        }

        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        // The plan is the clinic's, bought by an admin for its paid seats.
        var me = (await memberships.ForAsync(HttpContext))!;
        if (!me.Can(ClinicAction.ManageBilling))
        {
            Message = "Only your clinic's admin can change the clinic's plan.";
            return Page();
        }

        var clinic = (await memberships.Clinic(me.ClinicId).Read())!;
        var paidSeats = seats.PaidSeats(clinic);
        var snapshot = await grains.GetGrain<IUserGrain>(user.Id).GetSnapshot();
        var origin = publicOrigin.Origin.ToString().TrimEnd('/');
        var url = await stripe.CreateCheckoutAsync(
            user.Id,
            me.ClinicId,
            paidSeats,
            user.Email!,
            snapshot.StripeCustomerId,
            tier,
            origin + "/Billing/Success?session_id={CHECKOUT_SESSION_ID}",
            origin + "/Billing/Canceled",
            HttpContext.RequestAborted);
        await audit.RecordAsync(AuditActions.CheckoutStarted, AuditOutcomes.Success, user.Id, details: new { tier = tier.ToString(), seats = paidSeats });
        telemetry.CheckoutStarted(tier);
        return Redirect(url);
    }
}
