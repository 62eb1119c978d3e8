using System.Globalization;
using System.Text;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;

namespace Maneiro.Web.Pages.Account.Manage;

public sealed class TwoFactorModel(UserManager<ManeiroUser> users, SignInManager<ManeiroUser> signIn, SessionRevocation sessions, Clinics.ClinicMembership memberships, AuditTrail audit) : PageModel
{
    [BindProperty]
    public string Code { get; set; } = "";

    /// <summary>Turning two-factor off asks again who you are: the current password, or a code from the app.</summary>
    [BindProperty]
    public string? CurrentPassword { get; set; }

    public bool Enabled { get; private set; }

    public int RecoveryCodesLeft { get; private set; }

    public string SharedKey { get; private set; } = "";

    public string QrCodeDataUri { get; private set; } = "";

    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        return user is null ? Challenge() : await ShowAsync(user);
    }

    public async Task<IActionResult> OnPostEnableAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        var code = Code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var valid = code.Length > 0 && await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code);
        if (!valid)
        {
            ModelState.AddModelError(nameof(Code), "That code is not right. Check the app shows Maneiro and enter its current code.");
            return await ShowAsync(user);
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = [.. (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!];
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync(AuditActions.TwoFactorEnabled, AuditOutcomes.Success, user.Id);
        return await ShowAsync(user);
    }

    public async Task<IActionResult> OnPostDisableAsync(bool confirm)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!confirm)
        {
            TempData["Status"] = "Two-factor sign-in is still on: tick the box to confirm you want to turn it off.";
            return RedirectToPage();
        }

        if (await memberships.ForAsync(HttpContext) is { ClinicRequiresTwoFactor: true })
        {
            TempData["Error"] = "Your clinic requires two-factor sign-in, so it stays on. Ask your clinic's admin if this should change.";
            return RedirectToPage();
        }

        // Either proof will do, so neither field is required on its own.
        ModelState.Remove(nameof(Code));
        if (!await ProvesIdentityAsync(user))
        {
            await audit.RecordAsync(AuditActions.TwoFactorDisabled, AuditOutcomes.Denied, user.Id);
            ModelState.AddModelError(nameof(CurrentPassword), "Enter your current password, or a code from your authenticator app, to turn two-factor sign-in off.");
            return await ShowAsync(user);
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.ForgetTwoFactorClientAsync();
        await sessions.RevokeAsync(user.Id);
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync(AuditActions.TwoFactorDisabled, AuditOutcomes.Success, user.Id);
        TempData["Status"] = "Two-factor sign-in is off.";
        return RedirectToPage();
    }

    private async Task<bool> ProvesIdentityAsync(ManeiroUser user)
    {
        if (!string.IsNullOrEmpty(CurrentPassword) && await users.CheckPasswordAsync(user, CurrentPassword))
        {
            return true;
        }

        var code = Code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return code.Length > 0 && await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code);
    }

    private async Task<IActionResult> ShowAsync(ManeiroUser user)
    {
        Enabled = await users.GetTwoFactorEnabledAsync(user);
        if (Enabled)
        {
            RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
            return Page();
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // Resetting the key changes the security stamp; re-issue this session's cookie so it stays valid.
            await users.ResetAuthenticatorKeyAsync(user);
            await signIn.RefreshSignInAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        SharedKey = FormatKey(key!);
        var uri = string.Create(
            CultureInfo.InvariantCulture,
            $"otpauth://totp/{Uri.EscapeDataString("Maneiro:" + user.Email)}?secret={key}&issuer=Maneiro&digits=6");
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
        return Page();
    }

    private static string FormatKey(string key)
    {
        var formatted = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            formatted.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return formatted.ToString().TrimEnd().ToLowerInvariant();
    }
}
