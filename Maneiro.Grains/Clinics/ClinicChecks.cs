using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Clinics;

/// <summary>
/// The check a grain makes when a member acts on another member's work (staff uploading for a clinician, drafting a
/// letter for them, a clinician signing): both in the same clinic right now, with the roles the action needs. The web
/// checked already; this is the same rule where the work is, so no caller can skip it.
/// </summary>
internal static class ClinicChecks
{
    public static async Task RequireForOwnerAsync(IGrainFactory grains, string ownerId, string actorId, ClinicAction action)
    {
        var clinicId = await grains.GetGrain<IUserGrain>(ownerId).CurrentClinicId() ?? ownerId;
        var actorClinic = actorId == ownerId ? clinicId : await grains.GetGrain<IUserGrain>(actorId).CurrentClinicId();
        var clinic = grains.GetGrain<IClinicGrain>(clinicId);
        if (actorClinic != clinicId
            || !ClinicPolicy.Allows(await clinic.RolesOf(actorId), action)
            || (actorId != ownerId && !(await clinic.RolesOf(ownerId)).HasFlag(ClinicRoles.Clinician)))
        {
            throw new ClinicRefusedException("Only a member of the owner's clinic whose role allows it can do this.");
        }
    }

    /// <summary>The actor is a member of this clinic right now with a role that allows the action.</summary>
    public static async Task RequireMemberAsync(IGrainFactory grains, string clinicId, string actorId, ClinicAction action)
    {
        if (await grains.GetGrain<IUserGrain>(actorId).CurrentClinicId() != clinicId
            || !ClinicPolicy.Allows(await grains.GetGrain<IClinicGrain>(clinicId).RolesOf(actorId), action))
        {
            throw new ClinicRefusedException(ClinicPolicy.Refusal(action));
        }
    }
}
