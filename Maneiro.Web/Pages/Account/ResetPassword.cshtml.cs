using System.ComponentModel.DataAnnotations;
using System.Text;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace Maneiro.Web.Pages.Account;

public sealed class ResetPasswordModel(UserManager<ManeiroUser> users, SessionRevocation sessions, AuditTrail audit) : PageModel
{
    [BindProperty(SupportsGet = true)]
    [Required]
    public string Code { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    [Required(ErrorMessage = "Enter your e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    public string Email { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Choose a new password.")]
    public string Password { get; set; } = "";

    [BindProperty]
    [Compare(nameof(Password), ErrorMessage = "The two passwords do not match.")]
    public string ConfirmPassword { get; set; } = "";

    public void OnGet()
    {
        ModelState.Clear();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = await users.FindByEmailAsync(Email.Trim());
        IdentityResult result;
        try
        {
            result = user is null
                ? IdentityResult.Failed(users.ErrorDescriber.InvalidToken())
                : await users.ResetPasswordAsync(user, Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(Code)), Password);
        }
        catch (FormatException)
        {
            result = IdentityResult.Failed(users.ErrorDescriber.InvalidToken());
        }

        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code.StartsWith("Password", StringComparison.Ordinal) ? nameof(Password) : string.Empty, error.Description);
            }

            await audit.RecordAsync(AuditActions.PasswordReset, AuditOutcomes.Failure, user?.Id);
            return Page();
        }

        await sessions.RevokeAsync(user!.Id);
        await audit.RecordAsync(AuditActions.PasswordReset, AuditOutcomes.Success, user.Id);
        TempData["Status"] = "Your password was changed. Sign in with the new one.";
        return RedirectToPage("Login");
    }
}
