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
public sealed class LoginWith2faModel(SignInManager<ManeiroUser> signIn, AuditTrail audit) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter the code from your app.")]
    [StringLength(7, MinimumLength = 6, ErrorMessage = "The code has 6 digits.")]
    public string Code { get; set; } = "";

    [BindProperty]
    public bool RememberMachine { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

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

        var code = Code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, RememberMachine);
        if (result.Succeeded)
        {
            await audit.RecordAsync(AuditActions.Login, AuditOutcomes.Success, user.Id, details: new { factor = "totp" });
            return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AuditActions.LockedOut, AuditOutcomes.Denied, user.Id);
            return RedirectToPage("Lockout");
        }

        await audit.RecordAsync(AuditActions.LoginFailed, AuditOutcomes.Failure, user.Id, details: new { factor = "totp" });
        ModelState.AddModelError(string.Empty, "That code is not right. Codes change every 30 seconds; try the current one.");
        return Page();
    }
}
