using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Clinics;

namespace Maneiro.Web.Jobs;

/// <summary>
/// Reads an analysis for the signed-in user: their own, or one they uploaded as staff for a clinician of their clinic
/// (while both are still members with those roles). Anyone else's reads exactly like a missing one.
/// </summary>
public sealed class AnalysisAccess(IGrainFactory grains, ClinicMembership memberships)
{
    /// <summary>The analysis's progress when the signed-in user may see it (the one access check for pages, API and hub).</summary>
    public async Task<AnalysisProgress?> ForUserAsync(ClaimsPrincipal user, string analysisId)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || !IsJobId(analysisId))
        {
            return null;
        }

        var progress = await Grain(analysisId).GetProgress();
        if (progress is null)
        {
            return null;
        }

        if (progress.OwnerId == userId)
        {
            return progress;
        }

        return progress.SubmittedBy == userId && await memberships.ForAsync(user) is { } actor && await MaySeeForAsync(actor, progress.OwnerId) ? progress : null;
    }

    /// <summary>Staff (or a clinician) of the owner's clinic, the owner still a clinician there.</summary>
    public async Task<bool> MaySeeForAsync(Membership actor, string ownerId) =>
        actor.Can(ClinicAction.ReadAnalysis) && (await memberships.RolesInSameClinicAsync(actor, ownerId)).HasFlag(ClinicRoles.Clinician);

    /// <summary>The output of an analysis already checked with <see cref="ForUserAsync"/>.</summary>
    public async Task<AnalysisOutput> OutputAsync(AnalysisProgress checkedProgress) =>
        await Grain(checkedProgress.JobId).GetResult() ?? new AnalysisOutput(null, null);

    public IAnalysisGrain Grain(string analysisId) => grains.GetGrain<IAnalysisGrain>(analysisId);

    /// <summary>Job ids are 32 hex characters; anything else is not looked up at all.</summary>
    public static bool IsJobId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
