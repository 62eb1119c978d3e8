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

    public async Task<IActionResult> OnGetAsync(string id)
    {
        Id = id;
        return await OwnAsync(id) ? Page() : NotFound();
    }

    /// <summary>Only the owner deletes an analysis: staff who uploaded it for a clinician may read it, not remove it.</summary>
    private async Task<bool> OwnAsync(string id) =>
        await jobs.ForUserAsync(User, id) is { } job && job.OwnerId == User.FindFirstValue(ClaimTypes.NameIdentifier);

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
