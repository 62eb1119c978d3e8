using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Clinics;
using Maneiro.Web.Jobs;

namespace Maneiro.Web.Letters;

/// <summary>
/// Reads a letter for the signed-in user: the owning clinician's, or the staff member's who drafted it while both are
/// still in the clinic. Anyone else's reads exactly like a missing one.
/// </summary>
public sealed class LetterAccess(IGrainFactory grains, ClinicMembership memberships, AnalysisAccess analyses)
{
    public async Task<LetterStatus?> ForUserAsync(ClaimsPrincipal user, string letterId)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || !AnalysisAccess.IsJobId(letterId))
        {
            return null;
        }

        var status = await grains.GetGrain<ILetterGrain>(letterId).GetStatus();
        if (status is null)
        {
            return null;
        }

        if (status.OwnerId == userId)
        {
            return status;
        }

        return status.Request.DraftedBy == userId && await memberships.ForAsync(user) is { } actor && await analyses.MaySeeForAsync(actor, status.OwnerId) ? status : null;
    }

    public ILetterGrain Grain(string letterId) => grains.GetGrain<ILetterGrain>(letterId);

    /// <summary>The analysis's letters this viewer may see: all of them for the owner, their own drafts for anyone else.</summary>
    public async Task<IReadOnlyList<LetterStatus>> ForAnalysisAsync(string analysisJobId, string ownerId, string viewerId)
    {
        var ids = await grains.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(analysisJobId)).Page(0, 100);
        var letters = await Task.WhenAll(ids.Select(id => grains.GetGrain<ILetterGrain>(id).GetStatus()));
        return letters.Where(l => l is not null && l.OwnerId == ownerId && (viewerId == ownerId || l.Request.DraftedBy == viewerId)).Select(l => l!).ToList();
    }

    /// <summary>
    /// What a letter's PDF is printed on: the letterhead of the owner's clinic (kept under the clinic's id; a clinic of
    /// one's is the account's own) and the signer's own name, credentials and signature block; a draft gets none.
    /// </summary>
    public async Task<Letterhead> LetterheadAsync(LetterStatus letter)
    {
        var clinicId = await grains.GetGrain<IUserGrain>(letter.OwnerId).CurrentClinicId() ?? letter.OwnerId;
        var clinic = await grains.GetGrain<ILetterheadGrain>(clinicId).Read();
        var signer = letter.SignedBy is { } signerId ? await grains.GetGrain<ILetterheadGrain>(signerId).Read() : Letterhead.Empty;
        return Letterhead.Compose(clinic, signer);
    }

    public static string NewId() => Guid.NewGuid().ToString("N");
}
