using System.ComponentModel.DataAnnotations;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Pages.Account;

[EnableRateLimiting(RateLimits.Login)]
public sealed class LoginModel(Maneiro.Web.Email.PasswordDecoy decoy,
    IPasswordHasher<ManeiroUser> hasher,
    SignInManager<ManeiroUser> signIn,
    UserManager<ManeiroUser> users,
    AccountThrottle throttle,
    AuditTrail audit,
    IOptions<SecurityOptions> security) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public int IdleMinutes => (int)security.Value.IdleTimeout.TotalMinutes;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var (allowed, retryAfter) = await throttle.TryLoginAsync(Input.Email);
        if (!allowed)
        {
            await RateLimits.RefuseAsync(HttpContext, retryAfter, "login-account", HttpContext.RequestAborted);
            return new EmptyResult();
        }

        var user = await users.FindByEmailAsync(Input.Email.Trim());
        if (user is null)
        {
            // The same hashing as a real check, so an unknown address cannot be told from a wrong password by timing.
            decoy.Verify(hasher, Input.Password);
        }

        var result = user is null
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: true);

        if (result.Succeeded)
        {
            await audit.RecordAsync(AuditActions.Login, AuditOutcomes.Success, user!.Id);
            return LocalRedirect(SafeReturnUrl(ReturnUrl));
        }

        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("LoginWith2fa", new { ReturnUrl });
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AuditActions.LockedOut, AuditOutcomes.Denied, user?.Id);
            return RedirectToPage("Lockout");
        }

        if (result.IsNotAllowed)
        {
            await audit.RecordAsync(AuditActions.LoginFailed, AuditOutcomes.Denied, user?.Id, details: new { reason = "email_not_confirmed" });
            ModelState.AddModelError(string.Empty, "Please confirm your e-mail address first: open the link we sent you when you signed up.");
            return Page();
        }

        await audit.RecordAsync(AuditActions.LoginFailed, AuditOutcomes.Failure, user?.Id);
        ModelState.AddModelError(string.Empty, "That e-mail and password do not match an account. Check both and try again.");
        return Page();
    }

    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}

public sealed class LoginInput
{
    [Required(ErrorMessage = "Enter your e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";
}
