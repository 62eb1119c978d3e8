using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Inbox;

/// <summary>The clinic admin's inbox settings: urgency rules (first match wins over the model) and the scheduling table.</summary>
public sealed class SettingsModel(ClinicMembership memberships, AuditTrail audit) : PageModel
{
    public InboxSettings Settings { get; private set; } = InboxSettings.Default;

    public bool MayEdit { get; private set; }

    [BindProperty]
    public List<InboxSchedule> Schedule { get; set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (await memberships.ForAsync(HttpContext) is not { } me || !me.Can(ClinicAction.ReadInbox))
        {
            return Forbid();
        }

        MayEdit = me.Can(ClinicAction.ManageInbox);
        Settings = await memberships.Clinic(me.ClinicId).InboxSettings();
        return Page();
    }

    public Task<IActionResult> OnPostAddRuleAsync(string? kind, string? keyword, IntakeUrgency urgency) => SaveAsync(s =>
        s with { Rules = [.. s.Rules, new InboxUrgencyRule(Enum.TryParse<IntakeKind>(kind, out var k) ? k : null, keyword ?? "", urgency)] }, "The rule was added.");

    public Task<IActionResult> OnPostRemoveRuleAsync(int index) => SaveAsync(s =>
        s with { Rules = s.Rules.Where((_, i) => i != index).ToList() }, "The rule was removed.");

    public Task<IActionResult> OnPostScheduleAsync() => SaveAsync(s => s with { Schedule = Schedule }, "The scheduling table was saved.");

    private async Task<IActionResult> SaveAsync(Func<InboxSettings, InboxSettings> change, string done)
    {
        if (await memberships.ForAsync(HttpContext) is not { } me)
        {
            return Forbid();
        }

        var clinic = memberships.Clinic(me.ClinicId);
        try
        {
            var saved = await clinic.SaveInboxSettings(me.UserId, change(await clinic.InboxSettings()));
            await audit.RecordAsync(AuditActions.InboxSettingsChanged, AuditOutcomes.Success, target: me.ClinicId, details: new { rules = saved.Rules.Count });
            TempData["Status"] = done;
        }
        catch (ClinicRefusedException ex)
        {
            TempData["Error"] = ex.Message;
        }

        return RedirectToPage();
    }
}
