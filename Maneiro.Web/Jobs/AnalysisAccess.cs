using System.Security.Claims;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Jobs;

/// <summary>Reads an analysis for the signed-in user; someone else's analysis reads exactly like a missing one.</summary>
public sealed class AnalysisAccess(IGrainFactory grains)
{
    /// <summary>The analysis's progress when the signed-in user owns it (the one owner check for pages, API and hub).</summary>
    public async Task<AnalysisProgress?> ForUserAsync(ClaimsPrincipal user, string analysisId)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || !IsJobId(analysisId))
        {
            return null;
        }

        var progress = await Grain(analysisId).GetProgress();
        return progress is not null && progress.OwnerId == userId ? progress : null;
    }

    /// <summary>The output of an analysis already checked with <see cref="ForUserAsync"/>.</summary>
    public async Task<AnalysisOutput> OutputAsync(AnalysisProgress checkedProgress) =>
        await Grain(checkedProgress.JobId).GetResult() ?? new AnalysisOutput(null, null);

    public IAnalysisGrain Grain(string analysisId) => grains.GetGrain<IAnalysisGrain>(analysisId);

    /// <summary>Job ids are 32 hex characters; anything else is not looked up at all.</summary>
    public static bool IsJobId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
