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
        return await jobs.ForUserAsync(User, id) is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(string id)
    {
        if (await jobs.ForUserAsync(User, id) is null)
        {
            return NotFound();
        }

        await jobs.Grain(id).Delete();
        await audit.RecordAsync(AuditActions.JobDeleted, AuditOutcomes.Success, target: id);
        TempData["Status"] = "The analysis was deleted.";
        return Redirect("/");
    }
}
