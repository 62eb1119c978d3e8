using Maneiro.Grains.Domain.Clinics;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;

namespace Maneiro.Web.Clinics;

/// <summary>
/// A member's right to erasure. Their personal data goes: the account (e-mail, password, two-factor secrets), their
/// plan and usage, their letterhead and signature block, their membership. Their clinical records are the clinic's:
/// in a clinic with other members, each analysis they own (with its letters) is handed to the clinic's longest-serving
/// other admin; in a clinic of one, the clinic is deleted and its records purged. Audit rows, which name only the
/// account's id, are kept.
/// </summary>
public sealed class AccountErasure(ClinicMembership memberships, ClinicClosure closure, IGrainFactory grains, UserManager<ManeiroUser> users, SignInManager<ManeiroUser> signIn, Security.SessionRevocation sessions, AuditTrail audit)
{
    public const string LastAdmin = "You are this clinic's only admin. Make another member an admin (or delete the clinic) before deleting your account.";

    /// <summary>Null when erased; otherwise what to tell the member (nothing was changed).</summary>
    public async Task<string?> EraseAsync(HttpContext context, ManeiroUser user)
    {
        var me = await memberships.ForAsync(context) ?? throw new InvalidOperationException("The signed-in account has no clinic.");
        var clinic = memberships.Clinic(me.ClinicId);
        var snapshot = await clinic.Read();
        var members = snapshot?.Members ?? [];
        var heir = members.Where(m => m.UserId != me.UserId && m.Roles.HasFlag(ClinicRoles.Admin))
            .OrderByDescending(m => m.Roles.HasFlag(ClinicRoles.Clinician)).ThenBy(m => m.JoinedAt).FirstOrDefault();
        var handedOver = 0;
        if (members.All(m => m.UserId == me.UserId))
        {
            // A clinic of one: its records go with it, through the clinic's deletion (and its plan is canceled).
            if (await closure.CloseAsync(me, ClinicDeletion.Confirmation(snapshot?.Name ?? ""), context.RequestAborted) is { } problem)
            {
                return problem;
            }
        }
        else if (heir is null)
        {
            return LastAdmin;
        }
        else
        {
            var index = grains.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(me.UserId));
            foreach (var analysisId in await index.Page(0, int.MaxValue))
            {
                var analysis = grains.GetGrain<IAnalysisGrain>(analysisId);
                if (await analysis.GetProgress() is { } progress && progress.OwnerId == me.UserId)
                {
                    await analysis.TransferTo(heir.UserId);
                    handedOver++;
                }
                else
                {
                    // One they uploaded as staff for a clinician: the clinician's; it leaves only this account's list.
                    await index.Remove(analysisId);
                }
            }

            await clinic.Remove(me.UserId, me.UserId);
        }

        // Recordings never submitted are this account's alone: they go with it.
        foreach (var recordingId in await grains.GetGrain<IJobIndexGrain>(IndexKeys.RecordingsOf(me.UserId)).Page(0, int.MaxValue))
        {
            await grains.GetGrain<IRecordingGrain>(recordingId).Discard();
        }

        await grains.GetGrain<ILetterheadGrain>(me.UserId).ForgetAccount();
        await grains.GetGrain<IUserGrain>(me.UserId).ForgetAccount();
        await audit.RecordAsync(AuditActions.AccountErased, AuditOutcomes.Success, me.UserId, me.ClinicId, new { handedOver, to = heir?.UserId });
        await sessions.RevokeAsync(me.UserId);
        await signIn.SignOutAsync();
        var deleted = await users.DeleteAsync(user);
        return deleted.Succeeded ? null : "Your account could not be deleted just now. Please try again.";
    }
}
