using System.ComponentModel.DataAnnotations;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Account.Manage;

public sealed class AccountIndexModel(UserManager<ManeiroUser> users, SignInManager<ManeiroUser> signIn, SessionRevocation sessions, IGrainFactory grains, AuditLog auditLog, AuditTrail audit) : PageModel
{
    [BindProperty]
    public ProfileInput Input { get; set; } = new();

    public string Email { get; private set; } = "";

    public bool TwoFactorEnabled { get; private set; }

    public UserSnapshot Snapshot { get; private set; } = null!;

    public IReadOnlyList<AuditRecord> Activity { get; private set; } = [];

    public string StatusText => Snapshot.Status switch
    {
        SubscriptionStatus.None => "no paid subscription",
        SubscriptionStatus.PastDue => "payment overdue",
        var status => status.ToString().ToLowerInvariant(),
    };

    public static string Label(UsageKind kind) => kind switch
    {
        UsageKind.Analyses => "Analyses",
        UsageKind.Letters => "Letters",
        UsageKind.OcrPages => "OCR pages",
        UsageKind.AudioMinutes => "Audio minutes",
        _ => kind.ToString(),
    };

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        Input = new ProfileInput { FirstName = user.FirstName, LastName = user.LastName };
        await LoadAsync(user);
        return Page();
    }

    public bool ReviewsTranscripts { get; private set; } = true;

    public string? TimeZoneId { get; private set; }

    /// <summary>The zones offered, by IANA id.</summary>
    public static IReadOnlyList<string> TimeZoneIds { get; } = TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/', StringComparison.Ordinal) || id == "UTC").Order(StringComparer.Ordinal).ToList();

    /// <summary>Saves the time zone pages show times in and letters the account signs are dated in.</summary>
    public async Task<IActionResult> OnPostTimeZoneAsync([FromForm(Name = "timeZone")] string? timeZone)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!Maneiro.Grains.Domain.TimeZones.IsKnown(timeZone))
        {
            TempData["Error"] = "Choose a time zone from the list.";
            return RedirectToPage();
        }

        await grains.GetGrain<IUserGrain>(user.Id).SetTimeZone(timeZone!, onlyIfUnset: false);
        TempData["Status"] = $"Times are shown in {timeZone}.";
        return RedirectToPage();
    }

    /// <summary>Saves whether recordings wait for a transcript review (the default) or go to the model right away.</summary>
    public async Task<IActionResult> OnPostRecordingsAsync([FromForm(Name = "review")] bool review)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await grains.GetGrain<IUserGrain>(user.Id).SetReviewsTranscripts(review);
        TempData["Status"] = review ? "Recordings will wait for your transcript review." : "Recordings will be analyzed right away.";
        return RedirectToPage();
    }

    /// <summary>Ends every session of this account, this one included: a new security stamp invalidates every cookie, and live connections close.</summary>
    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await users.UpdateSecurityStampAsync(user);
        await sessions.RevokeAsync(user.Id);
        await audit.RecordAsync(AuditActions.SignedOutEverywhere, AuditOutcomes.Success, user.Id);
        await signIn.SignOutAsync();
        TempData["Status"] = "You were signed out on every device. Sign in again to continue.";
        return RedirectToPage("/Account/Login");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(user);
            return Page();
        }

        user.FirstName = Input.FirstName.Trim();
        user.LastName = Input.LastName.Trim();
        await users.UpdateAsync(user);
        await audit.RecordAsync(AuditActions.ProfileUpdated, AuditOutcomes.Success, user.Id);
        TempData["Status"] = "Profile saved.";
        return RedirectToPage();
    }

    private async Task LoadAsync(ManeiroUser user)
    {
        Email = user.Email ?? "";
        TwoFactorEnabled = user.TwoFactorEnabled;
        Snapshot = await grains.GetGrain<IUserGrain>(user.Id).GetSnapshot();
        ReviewsTranscripts = await grains.GetGrain<IUserGrain>(user.Id).ReviewsTranscripts();
        TimeZoneId = await grains.GetGrain<IUserGrain>(user.Id).TimeZone();
        Activity = await auditLog.ForUserAsync(user.Id, 50);
    }
}

public sealed class ProfileInput
{
    [Required(ErrorMessage = "Enter your first name.")]
    [StringLength(100)]
    public string FirstName { get; set; } = "";

    [Required(ErrorMessage = "Enter your last name.")]
    [StringLength(100)]
    public string LastName { get; set; } = "";
}
