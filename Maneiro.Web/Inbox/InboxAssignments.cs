using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;

namespace Maneiro.Web.Inbox;

/// <summary>
/// Gives an item to a clinician: their allowance is reserved for one analysis (refused plainly when it is used up),
/// then the item grain starts the analysis on the text it already read. Used by the item page and the bulk assign.
/// </summary>
public sealed class InboxAssignments(IGrainFactory grains, ClinicMembership memberships, AuditTrail audit)
{
    /// <summary>Null when assigned; otherwise what to tell the member.</summary>
    public async Task<string?> AssignAsync(Membership actor, IntakeItemView item, string clinicianId)
    {
        if (!actor.Can(ClinicAction.WorkInbox))
        {
            return ClinicPolicy.Refusal(ClinicAction.WorkInbox);
        }

        if (!(await memberships.RolesInSameClinicAsync(actor, clinicianId)).HasFlag(ClinicRoles.Clinician))
        {
            return "Choose a clinician of this clinic.";
        }

        if (item.AssignedTo == clinicianId && item.AnalysisId is not null)
        {
            return null;
        }

        var analysisId = Guid.NewGuid().ToString("N");
        var clinician = grains.GetGrain<IUserGrain>(clinicianId);
        if (await clinician.TryReserve(UsageKind.Analyses, analysisId, 1) is { Granted: false } refused)
        {
            return "The clinician's plan allowance is used up: " + refused.DeniedReason;
        }

        try
        {
            await grains.GetGrain<IIntakeItemGrain>(item.ItemId).Assign(actor.UserId, clinicianId, analysisId);
        }
        catch (ClinicRefusedException ex)
        {
            await clinician.Release(analysisId);
            return ex.Message;
        }
        catch (Exception)
        {
            await clinician.Release(analysisId);
            throw;
        }

        await audit.RecordAsync(AuditActions.InboxAssigned, AuditOutcomes.Success, actor.UserId, item.ItemId, new { clinician = clinicianId, analysis = analysisId });
        return null;
    }
}
