using System.ComponentModel.DataAnnotations;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Account.Manage;

public sealed class ChangePasswordModel(UserManager<ManeiroUser> users, SignInManager<ManeiroUser> signIn, SessionRevocation sessions, AuditTrail audit) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your current password.")]
    public string CurrentPassword { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Choose a new password.")]
    public string NewPassword { get; set; } = "";

    [BindProperty]
    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords do not match.")]
    public string ConfirmPassword { get; set; } = "";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        var result = await users.ChangePasswordAsync(user, CurrentPassword, NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var field = error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? nameof(CurrentPassword)
                    : error.Code.StartsWith("Password", StringComparison.Ordinal) ? nameof(NewPassword) : string.Empty;
                ModelState.AddModelError(field, error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "The current password is not right." : error.Description);
            }

            await audit.RecordAsync(AuditActions.PasswordChanged, AuditOutcomes.Failure, user.Id);
            return Page();
        }

        // The security stamp changed, so other sessions fail their next stamp check; this one is re-issued.
        await sessions.RevokeAsync(user.Id);
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync(AuditActions.PasswordChanged, AuditOutcomes.Success, user.Id);
        TempData["Status"] = "Password changed. Your other sessions were signed out.";
        return RedirectToPage("Index");
    }
}
