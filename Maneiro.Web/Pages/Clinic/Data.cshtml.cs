using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>The clinic's data controls: how long documents are kept, whether recordings are kept, and the sweeps so far.</summary>
public sealed class DataModel(ClinicMembership memberships, IGrainFactory grains, AuditTrail audit) : PageModel
{
    public RetentionPolicy Policy { get; private set; } = RetentionPolicy.ForNewClinic;

    public RetentionStatus Sweeps { get; private set; } = new(null, null);

    public bool MayEdit { get; private set; }

    /// <summary>"keep", or a number of days.</summary>
    [BindProperty]
    public string Keep { get; set; } = "keep";

    [BindProperty]
    public int? Days { get; set; }

    [BindProperty]
    public bool DeleteAudio { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me)
        {
            return Forbid();
        }

        MayEdit = me.Can(ClinicAction.ManageData);
        Policy = await memberships.Clinic(me.ClinicId).Retention();
        Sweeps = await grains.GetGrain<IRetentionGrain>(me.ClinicId).Status();
        (Keep, Days, DeleteAudio) = (Policy.Days is null ? "keep" : "days", Policy.Days, Policy.DeleteAudioAfterTranscription);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me)
        {
            return Forbid();
        }

        try
        {
            int? days = Keep == "keep" ? null : Days ?? 0;
            var saved = await memberships.Clinic(me.ClinicId).SaveRetention(me.UserId, days, DeleteAudio);
            await audit.RecordAsync(AuditActions.RetentionChanged, AuditOutcomes.Success, target: me.ClinicId, details: new { days = saved.Days, deleteAudio = saved.DeleteAudioAfterTranscription });
            TempData["Status"] = saved.Days is { } d
                ? $"Saved. Documents, results, letters and inbox items older than {d} day{(d == 1 ? "" : "s")} will be deleted; the first sweep runs within a few hours."
                : "Saved. Documents are kept until someone deletes them.";
        }
        catch (ClinicRefusedException ex)
        {
            TempData["Error"] = ex.Message;
        }

        return RedirectToPage();
    }

    /// <summary>Runs a sweep now (admins), instead of waiting for the next scheduled one.</summary>
    public async Task<IActionResult> OnPostSweepAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me || !me.Can(ClinicAction.ManageData))
        {
            TempData["Error"] = "Only a clinic admin can do that.";
            return RedirectToPage();
        }

        var started = await grains.GetGrain<IRetentionGrain>(me.ClinicId).Sweep();
        await audit.RecordAsync(AuditActions.RetentionSweepStarted, started is null ? AuditOutcomes.Failure : AuditOutcomes.Success, target: me.ClinicId);
        TempData[started is null ? "Error" : "Status"] = started is null ? "The clinic keeps everything, so there is nothing to sweep." : "A sweep is running; this page shows its counts when it ends.";
        return RedirectToPage();
    }
}
