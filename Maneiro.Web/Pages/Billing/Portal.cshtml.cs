using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Billing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Billing;

/// <summary>Opens the Stripe Customer Portal (change plan, update card, cancel).</summary>
public sealed class PortalModel(StripeGateway stripe, IGrainFactory grains, Maneiro.Web.Security.PublicOrigin origin) : PageModel
{
    public string Message { get; private set; } = "";

    public IActionResult OnGet() => RedirectToPage("/Account/Manage/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        var snapshot = await grains.GetGrain<IUserGrain>(User.FindFirstValue(ClaimTypes.NameIdentifier)!).GetSnapshot();
        if (snapshot.StripeCustomerId is not { } customer)
        {
            Message = "You do not have a paid subscription yet, so there is nothing to manage.";
            return Page();
        }

        return Redirect(await stripe.CreatePortalAsync(customer, origin.Link("/Account/Manage"), HttpContext.RequestAborted));
    }
}
