using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>
/// Where an invitation's link lands: anyone may see whose invitation it is; accepting needs an account (new or
/// existing) signed in with the invited address. The token goes back in the form, never into a log line.
/// </summary>
[AllowAnonymous]
public sealed class JoinModel(ClinicMembership memberships, IGrainFactory grains, Maneiro.Web.Billing.SeatBilling seats, AuditTrail audit) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public InvitationPreview? Invitation { get; private set; }

    public string? Refusal { get; private set; }

    public async Task OnGetAsync() => Invitation = await PreviewAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        Invitation = await PreviewAsync();
        if (Invitation is null)
        {
            return Page();
        }

        if (await memberships.ForAsync(HttpContext) is not { } me)
        {
            return Challenge();
        }

        try
        {
            await grains.GetGrain<IClinicGrain>(Invitation.ClinicId).Accept(Token!, me.UserId, me.Email);
        }
        catch (ClinicRefusedException ex)
        {
            await audit.RecordAsync(AuditActions.ClinicJoined, AuditOutcomes.Denied, target: Invitation.ClinicId);
            Refusal = ex.Message;
            return Page();
        }

        await audit.RecordAsync(AuditActions.ClinicJoined, AuditOutcomes.Success, target: Invitation.ClinicId, details: new { roles = Invitation.Roles.ToString() });
        await seats.SyncAsync(Invitation.ClinicId, HttpContext.RequestAborted);
        TempData["Status"] = $"You joined {(Invitation.ClinicName.Length > 0 ? Invitation.ClinicName : "the clinic")}.";
        return RedirectToPage("/Clinic/Index");
    }

    /// <summary>The token names its clinic before the dot; the clinic grain checks the secret after it.</summary>
    private async Task<InvitationPreview?> PreviewAsync()
    {
        var dot = Token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (Token is null || dot <= 0 || Token.Length > 200)
        {
            return null;
        }

        return await grains.GetGrain<IClinicGrain>(Token[..dot]).Preview(Token);
    }
}
