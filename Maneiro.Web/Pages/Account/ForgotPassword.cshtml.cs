using System.ComponentModel.DataAnnotations;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Email;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Maneiro.Web.Pages.Account;

[EnableRateLimiting(RateLimits.ForgotPassword)]
public sealed class ForgotPasswordModel(AccountMail mail, AccountThrottle throttle, AuditTrail audit) : PageModel
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
            await RateLimits.RefuseAsync(HttpContext, retryAfter, "forgot-password-account", HttpContext.RequestAborted);
            return new EmptyResult();
        }

        // The same answer, and the same work, whether or not the account exists: the lookup and the mail happen off
        // the request path, so neither the page nor its timing can be used to find accounts.
        mail.QueuePasswordReset(Email.Trim());
        await audit.RecordAsync(AuditActions.PasswordResetRequested, AuditOutcomes.Success, details: new { queued = true });
        Sent = true;
        return Page();
    }
}
