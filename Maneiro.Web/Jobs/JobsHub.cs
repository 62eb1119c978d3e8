using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Maneiro.Web.Jobs;

/// <summary>Live job progress. A connection may only join the group of a job its user owns.</summary>
[Authorize]
public sealed class JobsHub(AnalysisAccess jobs, Maneiro.Web.Letters.LetterAccess letters) : Hub
{
    public const string Path = "/hubs/jobs";

    public static string Group(string jobId) => "job:" + jobId;

    /// <summary>Joins the job's group and returns its current state, so a late subscriber misses nothing.</summary>
    public async Task<object> Subscribe(string jobId)
    {
        var progress = await jobs.ForUserAsync(Context.User ?? new ClaimsPrincipal(), jobId) ?? throw new HubException("Not found.");
        await JoinAsync(Group(jobId));
        return JobViews.Summary(progress);
    }

    /// <summary>The same for a letter being drafted: letters publish their stages on the job channel under their own id.</summary>
    public async Task<object> SubscribeLetter(string letterId)
    {
        var status = await letters.ForUserAsync(Context.User ?? new ClaimsPrincipal(), letterId) ?? throw new HubException("Not found.");
        await JoinAsync(Group(letterId));
        return Maneiro.Web.Letters.LetterViews.Summary(status);
    }

    private async Task JoinAsync(string group)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        Security.HubSessionFilter.JoinedGroups(Context).Add(group);
    }
}
