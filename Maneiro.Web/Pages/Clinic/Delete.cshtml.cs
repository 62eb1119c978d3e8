using Maneiro.Grains.Domain.Clinics;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Billing;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stripe;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>
/// Deleting the clinic (admins): after typing its name, the clinic's paid plan is canceled in Stripe, no member has a
/// role in it from that moment, and its data goes through the sweeper; then every member has a new, empty clinic.
/// </summary>
public sealed partial class DeleteModel(ClinicMembership memberships, StripeGateway stripe, Maneiro.Web.Security.SessionRevocation sessions, AuditTrail audit, ILogger<DeleteModel> logger) : PageModel
{
    public string Confirmation { get; private set; } = "";

    [BindProperty]
    public string TypedName { get; set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me || !me.Can(ClinicAction.ManageData))
        {
            return Forbid();
        }

        Confirmation = ClinicDeletion.Confirmation((await memberships.Clinic(me.ClinicId).Read())?.Name ?? "");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me || !me.Can(ClinicAction.ManageData))
        {
            return Forbid();
        }

        var clinic = memberships.Clinic(me.ClinicId);
        Confirmation = ClinicDeletion.Confirmation((await clinic.Read())?.Name ?? "");
        if (!string.Equals(TypedName.Trim(), Confirmation, StringComparison.OrdinalIgnoreCase))
        {
            ModelState.AddModelError(nameof(TypedName), $"Type \u201C{Confirmation}\u201D exactly to confirm.");
            return Page();
        }

        // The plan is stopped first: if Stripe cannot be reached, nothing is deleted and the admin is told.
        if (await clinic.Billing() is { Subscription: { StripeSubscriptionId: { } subscriptionId, Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue } })
        {
            try
            {
                await stripe.CancelSubscriptionAsync(subscriptionId, HttpContext.RequestAborted);
            }
            catch (StripeException ex)
            {
                LogCancelFailed(ex.StripeError?.Type ?? "unknown");
                ModelState.AddModelError(string.Empty, "The clinic's subscription could not be canceled with Stripe just now, so nothing was deleted. Try again in a few minutes.");
                return Page();
            }
        }

        var members = await clinic.MemberIds();
        await clinic.Delete(me.UserId, TypedName);
        await audit.RecordAsync(AuditActions.ClinicDeleted, AuditOutcomes.Success, target: me.ClinicId, details: new { members = members.Count });

        // Every member's open pages and live connections start over outside the clinic.
        foreach (var memberId in members)
        {
            await sessions.RevokeAsync(memberId);
        }
        TempData["Status"] = "The clinic was deleted. Its data is being removed; your account now has a new, empty clinic.";
        return Redirect("/");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canceling a deleted clinic's subscription failed: {ErrorType}")]
    private partial void LogCancelFailed(string errorType);
}
