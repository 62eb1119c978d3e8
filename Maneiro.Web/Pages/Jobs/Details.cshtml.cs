using Maneiro.Grains.Interfaces;
using Maneiro.Web.Audit;
using Maneiro.Silo.Audit;
using Maneiro.Web.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Jobs;

public sealed class JobDetailsModel(JobAccess jobs, AuditTrail audit) : PageModel
{
    public JobStatus Job { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (await jobs.ForUserAsync(User, id) is not { } job)
        {
            return NotFound();
        }

        Job = job;
        if (job.Stage == JobStage.Complete)
        {
            await audit.RecordAsync(AuditActions.ResultViewed, AuditOutcomes.Success, target: id);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostCancelAsync(string id)
    {
        if (await jobs.ForUserAsync(User, id) is null)
        {
            return NotFound();
        }

        await jobs.Grain(id).Cancel();
        await audit.RecordAsync(AuditActions.JobCanceled, AuditOutcomes.Success, target: id);
        TempData["Status"] = "The analysis was canceled; it was not counted against your plan.";
        return RedirectToPage(new { id });
    }
}
