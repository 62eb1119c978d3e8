using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Pipeline;
using Maneiro.Web.Clinics;
using Maneiro.Web.Inbox;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Inbox;

/// <summary>
/// The clinic inbox: every member sees its items (open ones first, stat and urgent first), filters them, and, as staff
/// or clinician, drops documents in and assigns items in bulk. The table refreshes live when an item changes.
/// </summary>
public sealed class InboxModel(InboxAccess inbox, PostgresIntakeIndex index, InboxAssignments assignments) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public IntakeStatus? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public IntakeKind? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public IntakeUrgency? Urgency { get; set; }

    /// <summary>A clinician's id, or "none" for items nobody has yet.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Assigned { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Patient { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Error { get; set; }

    public Membership Me { get; private set; } = null!;

    public IReadOnlyList<IntakeIndexRow> Rows { get; private set; } = [];

    public IReadOnlyList<ClinicMember> Clinicians { get; private set; } = [];

    public IReadOnlyDictionary<string, string> Emails { get; private set; } = new Dictionary<string, string>();

    public bool Filtered => Status is not null || Kind is not null || Urgency is not null || !string.IsNullOrEmpty(Assigned) || !string.IsNullOrWhiteSpace(Patient);

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : Forbid();

    /// <summary>Just the table's rows, for the live refresh.</summary>
    public async Task<IActionResult> OnGetRowsAsync() => await LoadAsync() ? Partial("_InboxRows", this) : Forbid();

    public async Task<IActionResult> OnPostAssignAsync(string[] items, string clinicianId)
    {
        if (!await LoadAsync())
        {
            return Forbid();
        }

        if (items.Length == 0)
        {
            TempData["Error"] = "Tick the items to assign first.";
            return RedirectToPage();
        }

        var problems = new List<string>();
        var assigned = 0;
        foreach (var id in items.Distinct().Take(100))
        {
            if (await inbox.ItemAsync(HttpContext, id) is not { } access)
            {
                return NotFound();
            }

            if (await assignments.AssignAsync(Me, access.Item, clinicianId) is { } problem)
            {
                problems.Add($"{access.Item.Upload.FileName}: {problem}");
            }
            else
            {
                assigned++;
            }
        }

        if (problems.Count > 0)
        {
            TempData["Error"] = string.Join(" ", problems);
        }

        TempData["Status"] = $"{assigned} item{(assigned == 1 ? "" : "s")} assigned to {Emails.GetValueOrDefault(clinicianId, "the clinician")}.";
        return RedirectToPage();
    }

    public string Who(string? userId) => userId is null ? "" : Emails.GetValueOrDefault(userId, "a former member");

    private async Task<bool> LoadAsync()
    {
        if (await inbox.ReaderAsync(HttpContext) is not { } me)
        {
            return false;
        }

        Me = me;
        (Emails, Clinicians) = await inbox.MembersAsync(me);
        Rows = await index.QueryAsync(
            new InboxQuery(me.ClinicId, Status, Kind, Urgency, Assigned is "none" ? null : Assigned, Assigned is "none", Patient),
            HttpContext.RequestAborted);
        return true;
    }
}
