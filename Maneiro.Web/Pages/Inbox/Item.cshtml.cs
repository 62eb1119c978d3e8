using Maneiro.Grains.Domain.Letters;
using System.ComponentModel.DataAnnotations;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Inbox;
using Maneiro.Web.Letters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Inbox;

/// <summary>
/// One inbox item: the original and the text read from it beside the extracted fields (each with its quote), the
/// checklists, the scheduling suggestion for its urgency, and the actions: edit, tick, assign, draft the insurance
/// letter of a prior-authorization request, mark done. Every change is checked again by the item grain and audited.
/// </summary>
public sealed class ItemModel(InboxAccess inbox, InboxAssignments assignments, ClinicMembership memberships, Maneiro.Web.Jobs.AnalysisAccess analyses, LetterAccess letters, AuditTrail audit, SweptNotices swept) : PageModel
{
    public IntakeItemView Item { get; private set; } = null!;

    public Membership Me { get; private set; } = null!;

    public string Text { get; private set; } = "";

    public InboxSchedule? Schedule { get; private set; }

    public IReadOnlyList<ClinicMember> Clinicians { get; private set; } = [];

    public IReadOnlyDictionary<string, string> Emails { get; private set; } = new Dictionary<string, string>();

    public AnalysisProgress? Analysis { get; private set; }

    [BindProperty]
    public IntakeEditForm Edit { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (!await LoadAsync(id))
        {
            return await swept.ForAsync(HttpContext, id) is null ? NotFound() : Redirect($"/Deleted/{id}");
        }

        await audit.RecordAsync(AuditActions.InboxItemViewed, AuditOutcomes.Success, target: id);
        return Page();
    }

    public Task<IActionResult> OnPostEditAsync(string id) => ChangeAsync(id, AuditActions.InboxEdited, () =>
        inbox.Grain(id).Edit(Me.UserId, new IntakeEdit(Edit.Kind, Edit.Urgency, Edit.SenderProvider ?? "", Edit.SenderClinic ?? "", Edit.SenderFax ?? "", Edit.PatientName ?? "", Edit.PatientDateOfBirth ?? "")), "The fields were saved.");

    public Task<IActionResult> OnPostTickAsync(string id, string list, int index, bool done) => ChangeAsync(id, AuditActions.InboxTaskTicked, () =>
        inbox.Grain(id).Tick(Me.UserId, list == "clinician", index, done), done ? "Ticked." : "Unticked.", new { list, index, done });

    public Task<IActionResult> OnPostDoneAsync(string id) => ChangeAsync(id, AuditActions.InboxDone, () => inbox.Grain(id).MarkDone(Me.UserId), "Marked done; it stays in the inbox's history.");

    public async Task<IActionResult> OnPostAssignAsync(string id, string clinicianId)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        if (await assignments.AssignAsync(Me, Item, clinicianId) is { } problem)
        {
            TempData["Error"] = problem;
        }
        else
        {
            TempData["Status"] = $"Assigned to {Emails.GetValueOrDefault(clinicianId, "the clinician")}; their analysis of this document has started.";
        }

        return RedirectToPage(new { id });
    }

    /// <summary>A prior-authorization request goes straight to the insurance letter, drafted for the assigned clinician to review and sign.</summary>
    public async Task<IActionResult> OnPostInsuranceLetterAsync(string id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        if (Analysis is not { Stage: JobStage.Complete } analysis || Item.AssignedTo is not { } owner)
        {
            TempData["Error"] = "The letter can be drafted once the assigned clinician's analysis is complete.";
            return RedirectToPage(new { id });
        }

        if (!Me.Can(ClinicAction.DraftAdministrativeLetter))
        {
            TempData["Error"] = ClinicPolicy.Refusal(ClinicAction.DraftAdministrativeLetter);
            return RedirectToPage(new { id });
        }

        var triage = Item.Triage!;
        var recipient = new LetterRecipient(
            triage.SenderProvider.Value.Length > 0 ? triage.SenderProvider.Value : "Utilization review",
            "",
            triage.SenderClinic.Value,
            null);
        var letterId = LetterAccess.NewId();
        try
        {
            await letters.Grain(letterId).Start(new LetterRequest(owner, analysis.JobId, LetterKind.PriorAuthorization, "en", recipient, Me.UserId, LetterChoices.ForInsuranceReply(triage)));
        }
        catch (ClinicRefusedException ex)
        {
            TempData["Error"] = ex.Message;
            return RedirectToPage(new { id });
        }

        await audit.RecordAsync(AuditActions.LetterRequested, AuditOutcomes.Success, target: letterId, details: new { analysis = analysis.JobId, kind = nameof(LetterKind.PriorAuthorization), language = "en", inboxItem = id });
        return Redirect($"/Letters/{letterId}");
    }

    public string Who(string? userId) => userId is null ? "" : Emails.GetValueOrDefault(userId, "a former member");

    private async Task<IActionResult> ChangeAsync(string id, string action, Func<Task<IntakeItemView>> change, string done, object? details = null)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        try
        {
            await change();
            await audit.RecordAsync(action, AuditOutcomes.Success, target: id, details: details);
            TempData["Status"] = done;
        }
        catch (ClinicRefusedException ex)
        {
            await audit.RecordAsync(action, AuditOutcomes.Denied, target: id, details: details);
            TempData["Error"] = ex.Message;
        }

        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(string id)
    {
        if (await inbox.ItemAsync(HttpContext, id) is not { } access)
        {
            return false;
        }

        (Me, Item) = (access.Actor, access.Item);
        Text = await inbox.Grain(id).Text();
        var clinic = memberships.Clinic(Me.ClinicId);
        (Emails, Clinicians) = await inbox.MembersAsync(Me);
        if (Item.Triage is { } triage)
        {
            Schedule = (await clinic.InboxSettings()).ScheduleFor(triage.Urgency);
            if (HttpMethods.IsGet(Request.Method))
            {
                Edit = IntakeEditForm.From(triage);
            }
        }

        Analysis = Item.AnalysisId is { } analysisId ? await analyses.Grain(analysisId).GetProgress() : null;
        return true;
    }
}

public sealed class IntakeEditForm
{
    [Display(Name = "Kind")]
    public IntakeKind Kind { get; set; }

    [Display(Name = "Urgency")]
    public IntakeUrgency Urgency { get; set; }

    [StringLength(300)]
    [Display(Name = "Sending provider")]
    public string? SenderProvider { get; set; }

    [StringLength(300)]
    [Display(Name = "Sending clinic")]
    public string? SenderClinic { get; set; }

    [StringLength(300)]
    [Display(Name = "Sender's fax")]
    public string? SenderFax { get; set; }

    [StringLength(300)]
    [Display(Name = "Patient name")]
    public string? PatientName { get; set; }

    [StringLength(300)]
    [Display(Name = "Date of birth")]
    public string? PatientDateOfBirth { get; set; }

    public static IntakeEditForm From(IntakeTriage triage) => new()
    {
        Kind = triage.Kind,
        Urgency = triage.Urgency,
        SenderProvider = triage.SenderProvider.Value,
        SenderClinic = triage.SenderClinic.Value,
        SenderFax = triage.SenderFax.Value,
        PatientName = triage.PatientName.Value,
        PatientDateOfBirth = triage.PatientDateOfBirth.Value,
    };

}
