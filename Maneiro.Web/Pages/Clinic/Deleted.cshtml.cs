using Maneiro.Grains.Services;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>The page an analysis, letter or inbox item sends to once the retention sweeper has deleted it (410 Gone).</summary>
public sealed class DeletedModel(SweptNotices notices) : PageModel
{
    public SweptRecord Record { get; private set; } = null!;

    public string Notice { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (await notices.ForAsync(HttpContext, id) is not { } record)
        {
            return NotFound();
        }

        Record = record;
        Notice = await notices.DescribeAsync(record);
        Response.StatusCode = StatusCodes.Status410Gone;
        return Page();
    }
}
