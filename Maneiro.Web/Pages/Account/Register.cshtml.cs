using System.ComponentModel.DataAnnotations;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Email;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Maneiro.Web.Pages.Account;

[EnableRateLimiting(RateLimits.Register)]
public sealed class RegisterModel(UserManager<ManeiroUser> users, AccountMail mail, AuditTrail audit, TimeProvider time, Maneiro.Grains.Observability.ManeiroTelemetry telemetry) : PageModel
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

        var address = Input.Email.Trim();
        var existing = await users.FindByEmailAsync(address);
        if (existing is not null)
        {
            return await RegisterExistingAsync(existing, address);
        }

        var user = new ManeiroUser
        {
            UserName = address,
            Email = address,
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
        mail.QueueConfirmation(address);
        return RedirectToPage("RegisterConfirmation");
    }

    /// <summary>
    /// An address that already has an account gets the answer a new one gets ("check your mail"), never "taken". A
    /// pending account takes this sign-up's names and password and a new confirmation (the first registrant's password
    /// and link stop working); a confirmed one is left as it is and its owner is told by mail.
    /// </summary>
    private async Task<IActionResult> RegisterExistingAsync(ManeiroUser existing, string address)
    {
        var problems = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            problems.AddRange((await validator.ValidateAsync(users, existing, Input.Password)).Errors);
        }

        if (problems.Count > 0)
        {
            foreach (var error in problems)
            {
                ModelState.AddModelError("Input.Password", error.Description);
            }

            await audit.RecordAsync(AuditActions.Register, AuditOutcomes.Failure, details: new { reasons = problems.Select(e => e.Code) });
            return Page();
        }

        if (await users.IsEmailConfirmedAsync(existing))
        {
            mail.QueueAccountExists(address);
            await audit.RecordAsync(AuditActions.Register, AuditOutcomes.Denied, existing.Id, existing.Id, new { reason = "address_has_account" });
            return RedirectToPage("RegisterConfirmation");
        }

        existing.FirstName = Input.FirstName.Trim();
        existing.LastName = Input.LastName.Trim();
        await users.RemovePasswordAsync(existing);
        var replaced = await users.AddPasswordAsync(existing, Input.Password);
        if (!replaced.Succeeded)
        {
            throw new InvalidOperationException("The pending account's password could not be replaced: " + string.Join("; ", replaced.Errors.Select(e => e.Code)));
        }

        await audit.RecordAsync(AuditActions.Register, AuditOutcomes.Success, existing.Id, existing.Id, new { replacedPending = true });
        mail.QueueConfirmation(address);
        return RedirectToPage("RegisterConfirmation");
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
