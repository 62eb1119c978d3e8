using System.ComponentModel.DataAnnotations;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Data;
using Maneiro.Web.Email;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace Maneiro.Web.Pages.Clinic;

/// <summary>The clinic: its name and policy, members and their roles and usage, invitations. Admins change; members see and may leave.</summary>
public sealed class IndexModel(
    ClinicMembership memberships,
    IGrainFactory grains,
    UserManager<ManeiroUser> users,
    EmailSender mail,
    PublicOrigin origin,
    SessionRevocation sessions,
    Maneiro.Web.Billing.SeatBilling seats,
    AuditTrail audit) : PageModel
{
    public Membership Me { get; private set; } = null!;

    public ClinicSnapshot Clinic { get; private set; } = null!;

    public IReadOnlyList<MemberRow> Rows { get; private set; } = [];

    public IReadOnlyList<UsageLine> Totals { get; private set; } = [];

    [BindProperty]
    public InviteForm Invite { get; set; } = new();

    public bool IsAdmin => Me.Can(ClinicAction.ManageMembers);

    public static IReadOnlyList<(ClinicRoles Roles, string Label)> RoleChoices { get; } =
    [
        (ClinicRoles.Clinician, ClinicPolicy.Describe(ClinicRoles.Clinician)),
        (ClinicRoles.Staff, ClinicPolicy.Describe(ClinicRoles.Staff)),
        (ClinicRoles.Admin | ClinicRoles.Clinician, ClinicPolicy.Describe(ClinicRoles.Admin | ClinicRoles.Clinician)),
        (ClinicRoles.Admin, ClinicPolicy.Describe(ClinicRoles.Admin)),
    ];

    public async Task OnGetAsync() => await LoadAsync();

    public Task<IActionResult> OnPostRenameAsync(string name) =>
        ChangeAsync(async (me, clinic) => await clinic.Rename(me.UserId, name ?? ""), AuditActions.ClinicRenamed, null, "The clinic's name was saved.");

    public Task<IActionResult> OnPostPolicyAsync(bool requireTwoFactor) =>
        ChangeAsync(async (me, clinic) => await clinic.SetRequireTwoFactor(me.UserId, requireTwoFactor), AuditActions.ClinicPolicyChanged, null, requireTwoFactor ? "Every member now needs two-factor sign-in." : "Two-factor sign-in is no longer required.");

    public async Task<IActionResult> OnPostInviteAsync()
    {
        Me = await MeAsync();
        if (!IsAdmin)
        {
            await audit.RecordAsync(AuditActions.ClinicInvited, AuditOutcomes.Denied, details: new { clinic = Me.ClinicId });
            TempData["Error"] = Grains.Domain.Clinics.ClinicRoster.NotAllowed;
            return RedirectToPage();
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync();
            return Page();
        }

        var me = await MeAsync();
        IssuedInvitation issued;
        try
        {
            issued = await memberships.Clinic(me.ClinicId).Invite(me.UserId, Invite.Email!, Invite.Roles);
        }
        catch (ClinicRefusedException ex)
        {
            ModelState.AddModelError("Invite.Email", ex.Message);
            await LoadAsync();
            return Page();
        }

        var clinic = (await memberships.Clinic(me.ClinicId).Read())!;
        var link = origin.Link(QueryHelpers.AddQueryString("/Clinic/Join", "token", issued.Token));
        await mail.SendAsync(AccountEmails.ClinicInvitation(issued.Invitation.Email, clinic.Name, me.Email, ClinicPolicy.Describe(issued.Invitation.Roles), link, Grains.Domain.Clinics.ClinicRoster.InvitationLifetime), HttpContext.RequestAborted);
        await audit.RecordAsync(AuditActions.ClinicInvited, AuditOutcomes.Success, target: issued.Invitation.Id, details: new { clinic = me.ClinicId, roles = issued.Invitation.Roles.ToString() });
        TempData["Status"] = $"An invitation was sent to {issued.Invitation.Email}.";
        return RedirectToPage();
    }

    public Task<IActionResult> OnPostRevokeAsync(string invitationId) =>
        ChangeAsync(async (me, clinic) => await clinic.RevokeInvitation(me.UserId, invitationId ?? ""), AuditActions.ClinicInvitationRevoked, invitationId, "The invitation was withdrawn; its link no longer works.");

    public Task<IActionResult> OnPostRolesAsync(string memberId, ClinicRoles roles) =>
        ChangeAsync(
            async (me, clinic) =>
            {
                var changed = await clinic.ChangeRoles(me.UserId, memberId ?? "", roles);

                // Open pages and live connections of the member start over under the new role.
                await sessions.RevokeAsync(memberId!);
                return changed;
            },
            AuditActions.ClinicRolesChanged,
            memberId,
            "The member's role was changed.");

    public Task<IActionResult> OnPostRemoveAsync(string memberId) =>
        ChangeAsync(
            async (me, clinic) =>
            {
                var changed = await clinic.Remove(me.UserId, memberId ?? "");
                await sessions.RevokeAsync(memberId!);
                return changed;
            },
            AuditActions.ClinicMemberRemoved,
            memberId,
            "The member was removed. Their own analyses and letters stay with their account.");

    public async Task<IActionResult> OnPostLeaveAsync()
    {
        var me = await MeAsync();
        try
        {
            await memberships.Clinic(me.ClinicId).Remove(me.UserId, me.UserId);
        }
        catch (ClinicRefusedException ex)
        {
            TempData["Error"] = ex.Message;
            return RedirectToPage();
        }

        await audit.RecordAsync(AuditActions.ClinicMemberRemoved, AuditOutcomes.Success, target: me.UserId, details: new { clinic = me.ClinicId, left = true });
        await seats.SyncAsync(me.ClinicId, HttpContext.RequestAborted);
        TempData["Status"] = "You left the clinic. Your account is a clinic of one again.";
        return RedirectToPage();
    }

    private async Task<IActionResult> ChangeAsync(Func<Membership, IClinicGrain, Task<ClinicSnapshot>> change, string action, string? target, string done)
    {
        var me = await MeAsync();
        try
        {
            await change(me, memberships.Clinic(me.ClinicId));
        }
        catch (ClinicRefusedException ex)
        {
            await audit.RecordAsync(action, AuditOutcomes.Denied, target: target, details: new { clinic = me.ClinicId });
            TempData["Error"] = ex.Message;
            return RedirectToPage();
        }

        await audit.RecordAsync(action, AuditOutcomes.Success, target: target, details: new { clinic = me.ClinicId });
        TempData["Status"] = await seats.SyncAsync(me.ClinicId, HttpContext.RequestAborted) ? done : done + " The clinic's seats could not be updated with the payment provider yet; they are corrected with the next change.";
        return RedirectToPage();
    }

    private async Task<Membership> MeAsync() => await memberships.ForAsync(HttpContext) ?? throw new InvalidOperationException("The clinic page requires a signed-in user.");

    private async Task LoadAsync()
    {
        Me = await MeAsync();
        Clinic = (await memberships.Clinic(Me.ClinicId).Read())!;
        var rows = new List<MemberRow>();
        foreach (var member in Clinic.Members.OrderBy(m => m.JoinedAt))
        {
            var account = await users.FindByIdAsync(member.UserId);

            // Usage is each member's own counter; an admin sees everyone's share and the sum.
            var usage = IsAdmin || member.UserId == Me.UserId ? (await grains.GetGrain<IUserGrain>(member.UserId).GetSnapshot()).Usage : [];
            rows.Add(new MemberRow(member, account?.DisplayName is { Length: > 0 } name ? name : member.Email, usage));
        }

        Rows = rows;
        Totals = IsAdmin
            ? Enum.GetValues<UsageKind>().Select(k => new UsageLine(k, rows.Sum(r => r.Usage.FirstOrDefault(u => u.Kind == k)?.Used ?? 0), null)).ToList()
            : [];
    }
}

public sealed record MemberRow(ClinicMember Member, string Name, IReadOnlyList<UsageLine> Usage)
{
    public int Used(UsageKind kind) => Usage.FirstOrDefault(u => u.Kind == kind)?.Used ?? 0;
}

public sealed class InviteForm
{
    [Required(ErrorMessage = "Enter the e-mail address of the person to invite.")]
    [EmailAddress(ErrorMessage = "Enter an e-mail address like name@clinic.org.")]
    [StringLength(254)]
    [Display(Name = "E-mail")]
    public string? Email { get; set; }

    [Display(Name = "Role")]
    public ClinicRoles Roles { get; set; } = ClinicRoles.Clinician;
}
