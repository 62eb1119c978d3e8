using System.Security.Cryptography;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>
/// The admin's export of the clinic's data: an encrypted zip built in the background. Its password is generated here
/// and shown once, in the answer to the request that started it; it is never stored, logged or mailed.
/// </summary>
public sealed class ExportModel(ClinicMembership memberships, IGrainFactory grains, IBlobStore blobs, AuditTrail audit) : PageModel
{
    /// <summary>Letters and digits that cannot be mistaken for each other when copied by hand.</summary>
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public IReadOnlyList<ClinicExportView> Exports { get; private set; } = [];

    /// <summary>Set only in the answer to the request that started an export.</summary>
    public string? Password { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is null ? Forbid() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await LoadAsync() is not { } me)
        {
            return Forbid();
        }

        var exportId = Guid.NewGuid().ToString("N");
        var password = NewPassword();
        // Recorded first, so the archive's own audit rows include its start.
        await audit.RecordAsync(AuditActions.ExportStarted, AuditOutcomes.Success, target: exportId);
        await grains.GetGrain<IClinicExportGrain>(exportId).Start(me.ClinicId, me.UserId, password);
        Password = password;
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnGetDownloadAsync(string id)
    {
        if (await LoadAsync() is not { } me || !Exports.Any(e => e.ExportId == id))
        {
            return NotFound();
        }

        string key;
        try
        {
            key = await grains.GetGrain<IClinicExportGrain>(id).Download(me.UserId);
        }
        catch (ClinicRefusedException ex)
        {
            TempData["Error"] = ex.Message;
            return RedirectToPage();
        }

        await audit.RecordAsync(AuditActions.ExportDownloaded, AuditOutcomes.Success, target: id);
        Response.Headers.CacheControl = "private, no-store";
        return File(await blobs.OpenReadAsync(key, HttpContext.RequestAborted), "application/zip", $"maneiro-export-{DateTimeOffset.UtcNow:yyyy-MM-dd}.zip");
    }

    public static string NewPassword()
    {
        // 24 characters of a 57-letter alphabet: about 140 bits.
        var chars = new char[24];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = PasswordAlphabet[RandomNumberGenerator.GetInt32(PasswordAlphabet.Length)];
        }

        return new string(chars);
    }

    private async Task<Membership?> LoadAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me || !me.Can(ClinicAction.ManageData))
        {
            return null;
        }

        var views = new List<ClinicExportView>();
        foreach (var id in await grains.GetGrain<IJobIndexGrain>(IndexKeys.ExportsOf(me.ClinicId)).Page(0, 20))
        {
            if (await grains.GetGrain<IClinicExportGrain>(id).View() is { } view)
            {
                views.Add(view);
            }
        }

        Exports = views;
        return me;
    }
}
