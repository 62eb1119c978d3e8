using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Jobs;

namespace Maneiro.Web.Letters;

/// <summary>Reads a letter for the signed-in user; someone else's letter reads exactly like a missing one.</summary>
public sealed class LetterAccess(IGrainFactory grains)
{
    public async Task<LetterStatus?> ForUserAsync(ClaimsPrincipal user, string letterId)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || !AnalysisAccess.IsJobId(letterId))
        {
            return null;
        }

        var status = await grains.GetGrain<ILetterGrain>(letterId).GetStatus();
        return status is not null && status.OwnerId == userId ? status : null;
    }

    public ILetterGrain Grain(string letterId) => grains.GetGrain<ILetterGrain>(letterId);

    public async Task<IReadOnlyList<LetterStatus>> ForAnalysisAsync(string analysisJobId, string ownerId)
    {
        var ids = await grains.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(analysisJobId)).Page(0, 100);
        var letters = await Task.WhenAll(ids.Select(id => grains.GetGrain<ILetterGrain>(id).GetStatus()));
        return letters.Where(l => l is not null && l.OwnerId == ownerId).Select(l => l!).ToList();
    }

    public Task<Letterhead> LetterheadAsync(string userId) => grains.GetGrain<ILetterheadGrain>(userId).Read();

    public static string NewId() => Guid.NewGuid().ToString("N");
}
