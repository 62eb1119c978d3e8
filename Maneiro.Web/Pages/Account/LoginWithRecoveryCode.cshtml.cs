using System.ComponentModel.DataAnnotations;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Maneiro.Web.Pages.Account;

[EnableRateLimiting(RateLimits.Login)]
public sealed class LoginWithRecoveryCodeModel(SignInManager<ManeiroUser> signIn, AuditTrail audit) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter one of your recovery codes.")]
    public string RecoveryCode { get; set; } = "";

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("Login") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("Login");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(RecoveryCode.Replace(" ", "", StringComparison.Ordinal));
        if (result.Succeeded)
        {
            await audit.RecordAsync(AuditActions.Login, AuditOutcomes.Success, user.Id, details: new { factor = "recovery_code" });
            return LocalRedirect("/");
        }

        await audit.RecordAsync(AuditActions.LoginFailed, AuditOutcomes.Failure, user.Id, details: new { factor = "recovery_code" });
        ModelState.AddModelError(string.Empty, result.IsLockedOut ? "The account is locked for a while; try again later." : "That recovery code is not valid or was used already.");
        return Page();
    }
}
