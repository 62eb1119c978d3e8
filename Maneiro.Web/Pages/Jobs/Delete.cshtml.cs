using System.Security.Claims;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Jobs;

public sealed class JobDeleteModel(AnalysisAccess jobs, AuditTrail audit) : PageModel
{
    public string Id { get; private set; } = "";

    /// <summary>A recording waiting for its transcript review: deleting it is discarding it.</summary>
    public bool Discarding { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        Id = id;
        if (await OwnedAsync(id) is not { } job)
        {
            return NotFound();
        }

        Discarding = job.Stage == Maneiro.Grains.Interfaces.JobStage.Reviewing;
        return Page();
    }

    /// <summary>Only the owner deletes an analysis: staff who uploaded it for a clinician may read it, not remove it.</summary>
    private async Task<bool> OwnAsync(string id) => await OwnedAsync(id) is not null;

    private async Task<Maneiro.Grains.Interfaces.AnalysisProgress?> OwnedAsync(string id) =>
        await jobs.ForUserAsync(User, id) is { } job && job.OwnerId == User.FindFirstValue(ClaimTypes.NameIdentifier) ? job : null;

    public async Task<IActionResult> OnPostAsync(string id)
    {
        if (!await OwnAsync(id))
        {
            return NotFound();
        }

        await jobs.Grain(id).Delete();
        await audit.RecordAsync(AuditActions.JobDeleted, AuditOutcomes.Success, target: id);
        TempData["Status"] = "The analysis was deleted.";
        return Redirect("/");
    }
}
