using System.Security.Claims;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Jobs;

/// <summary>Reads a job for the signed-in user; someone else's job reads exactly like a missing one.</summary>
public sealed class JobAccess(IGrainFactory grains)
{
    public async Task<JobStatus?> ForUserAsync(ClaimsPrincipal user, string jobId)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || !IsJobId(jobId))
        {
            return null;
        }

        var status = await grains.GetGrain<IAnalysisJobGrain>(jobId).GetStatus();
        return status is not null && status.OwnerId == userId ? status : null;
    }

    public IAnalysisJobGrain Grain(string jobId) => grains.GetGrain<IAnalysisJobGrain>(jobId);

    /// <summary>Job ids are 32 hex characters; anything else is not looked up at all.</summary>
    public static bool IsJobId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
