using System.ComponentModel.DataAnnotations;
using System.Text;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Email;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;

namespace Maneiro.Web.Pages.Account;

[EnableRateLimiting(RateLimits.ForgotPassword)]
public sealed class ForgotPasswordModel(UserManager<ManeiroUser> users, EmailSender email, AccountThrottle throttle, AuditTrail audit, Maneiro.Web.Security.PublicOrigin origin) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    public string Email { get; set; } = "";

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var (allowed, retryAfter) = await throttle.TryForgotPasswordAsync(Email);
        if (!allowed)
        {
            await audit.RecordAsync(AuditActions.RateLimited, AuditOutcomes.Denied, target: "forgot-password-account");
            await RateLimits.WriteTooManyRequestsAsync(HttpContext, retryAfter, HttpContext.RequestAborted);
            return new EmptyResult();
        }

        // The same answer whether or not the account exists, so the page cannot be used to find accounts.
        var user = await users.FindByEmailAsync(Email.Trim());
        if (user is not null && await users.IsEmailConfirmedAsync(user))
        {
            var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
            var link = origin.Link(Url.Page("/Account/ResetPassword", pageHandler: null, values: new { code, email = user.Email })!);
            await email.SendAsync(AccountEmails.PasswordReset(user.Email!, link));
        }

        await audit.RecordAsync(AuditActions.PasswordResetRequested, AuditOutcomes.Success, user?.Id);
        Sent = true;
        return Page();
    }
}
