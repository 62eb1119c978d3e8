using System.Security.Claims;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Account;

public sealed class LogoutModel(SignInManager<ManeiroUser> signIn, SessionRevocation sessions, AuditTrail audit) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (signIn.IsSignedIn(User))
        {
            await audit.RecordAsync(AuditActions.Logout, AuditOutcomes.Success);
            if (User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
            {
                // Live job streams end with the session, on every instance.
                await sessions.RevokeAsync(userId);
            }

            await signIn.SignOutAsync();
        }

        TempData["Status"] = "You are signed out.";
        return RedirectToPage("Login");
    }
}
