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

[EnableRateLimiting(RateLimits.Register)]
public sealed class RegisterModel(UserManager<ManeiroUser> users, EmailSender email, AuditTrail audit, TimeProvider time, Maneiro.Grains.Observability.ManeiroTelemetry telemetry, Maneiro.Web.Security.PublicOrigin origin) : PageModel
{
    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = new ManeiroUser
        {
            UserName = Input.Email.Trim(),
            Email = Input.Email.Trim(),
            FirstName = Input.FirstName.Trim(),
            LastName = Input.LastName.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        var result = await users.CreateAsync(user, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var field = error.Code.StartsWith("Password", StringComparison.Ordinal) ? "Input.Password"
                    : error.Code.StartsWith("Duplicate", StringComparison.Ordinal) || error.Code.Contains("Email", StringComparison.Ordinal) ? "Input.Email"
                    : string.Empty;
                ModelState.AddModelError(field, error.Description);
            }

            await audit.RecordAsync(AuditActions.Register, AuditOutcomes.Failure, details: new { reasons = result.Errors.Select(e => e.Code) });
            return Page();
        }

        await audit.RecordAsync(AuditActions.Register, AuditOutcomes.Success, user.Id, user.Id);
        telemetry.Registered();
        await SendConfirmationAsync(users, email, user, Url, origin);
        return RedirectToPage("RegisterConfirmation");
    }

    internal static async Task SendConfirmationAsync(UserManager<ManeiroUser> users, EmailSender email, ManeiroUser user, IUrlHelper url, Maneiro.Web.Security.PublicOrigin origin)
    {
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
        var link = origin.Link(url.Page("/Account/ConfirmEmail", pageHandler: null, values: new { userId = user.Id, code })!);
        await email.SendAsync(AccountEmails.Confirmation(user.Email!, user.FirstName, link));
    }
}

public sealed class RegisterInput
{
    [Required(ErrorMessage = "Enter your e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address, like name@clinic.org.")]
    [StringLength(256)]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your first name.")]
    [StringLength(100)]
    public string FirstName { get; set; } = "";

    [Required(ErrorMessage = "Enter your last name.")]
    [StringLength(100)]
    public string LastName { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Repeat the password.")]
    [Compare(nameof(Password), ErrorMessage = "The two passwords do not match.")]
    [DataType(DataType.Password)]
    public string ConfirmPassword { get; set; } = "";
}
