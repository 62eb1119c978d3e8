using Maneiro.Grains.Domain.Clinics;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>
/// Deleting the clinic (admins): after typing its name, the clinic's paid plan is canceled in Stripe, no member has a
/// role in it from that moment, and its data goes through the sweeper; then every member has a new, empty clinic.
/// </summary>
public sealed class DeleteModel(ClinicMembership memberships, ClinicClosure closure) : PageModel
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

        Confirmation = ClinicDeletion.Confirmation((await memberships.Clinic(me.ClinicId).Read())?.Name ?? "");
        if (!string.Equals(TypedName.Trim(), Confirmation, StringComparison.OrdinalIgnoreCase))
        {
            ModelState.AddModelError(nameof(TypedName), $"Type \u201C{Confirmation}\u201D exactly to confirm.");
            return Page();
        }

        if (await closure.CloseAsync(me, TypedName, HttpContext.RequestAborted) is { } problem)
        {
            ModelState.AddModelError(string.Empty, problem);
            return Page();
        }

        TempData["Status"] = "The clinic was deleted. Its data is being removed; your account now has a new, empty clinic.";
        return Redirect("/");
    }
}
