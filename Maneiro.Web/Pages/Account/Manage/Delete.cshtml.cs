using Maneiro.Web.Clinics;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Account.Manage;

/// <summary>Deleting one's own account (right to erasure), confirmed with the password.</summary>
public sealed class DeleteAccountModel(UserManager<ManeiroUser> users, AccountErasure erasure) : PageModel
{
    [BindProperty]
    public string Password { get; set; } = "";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (!await users.CheckPasswordAsync(user, Password))
        {
            ModelState.AddModelError(nameof(Password), "That is not your password.");
            return Page();
        }

        if (await erasure.EraseAsync(HttpContext, user) is { } problem)
        {
            ModelState.AddModelError(string.Empty, problem);
            return Page();
        }

        TempData["Status"] = "Your account was deleted.";
        return Redirect("/");
    }
}
