using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Maneiro.Web.Jobs;

/// <summary>Live job progress. A connection may only join the group of a job its user owns.</summary>
[Authorize]
public sealed class JobsHub(AnalysisAccess jobs, Maneiro.Web.Letters.LetterAccess letters, Maneiro.Web.Clinics.ClinicMembership memberships) : Hub
{
    public const string Path = "/hubs/jobs";

    public static string Group(string jobId) => "job:" + jobId;

    /// <summary>Every job of one user (analyses and letters): a page that subscribes before it submits misses no stage.</summary>
    public static string UserGroup(string userId) => "user:" + userId;

    /// <summary>
    /// Joins the signed-in user's own channel: from now on every stage of every job of theirs arrives here, including
    /// jobs that do not exist yet. The user comes from the sign-in cookie, never from the caller.
    /// </summary>
    public async Task SubscribeMine()
    {
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new HubException("Not signed in.");
        await JoinAsync(UserGroup(userId));
    }

    /// <summary>
    /// Joins the inbox of the signed-in member's clinic (the clinic comes from the grains, never from the caller): every
    /// change to one of its items arrives as an "inbox" event naming the item.
    /// </summary>
    public async Task SubscribeInbox()
    {
        var actor = await memberships.ForAsync(User);
        if (actor is null || !actor.Can(Maneiro.Grains.Interfaces.ClinicAction.ReadInbox))
        {
            throw new HubException("Not allowed.");
        }

        await JoinAsync(Maneiro.Web.Inbox.InboxAccess.Group(actor.ClinicId));
    }

    /// <summary>Joins the job's group and returns its current state, so a late subscriber misses nothing.</summary>
    public Task<object> Subscribe(string jobId) =>
        SubscribeAsync(jobId, async () => await jobs.ForUserAsync(User, jobId) is { } progress ? JobViews.Summary(progress) : null);

    /// <summary>The same for a letter being drafted: letters publish their stages on the job channel under their own id.</summary>
    public Task<object> SubscribeLetter(string letterId) =>
        SubscribeAsync(letterId, async () => await letters.ForUserAsync(User, letterId) is { } status ? Maneiro.Web.Letters.LetterViews.Summary(status) : null);

    private ClaimsPrincipal User => Context.User ?? new ClaimsPrincipal();

    /// <summary>
    /// Reads the state (the owner check), joins the group, then reads again and returns that. Joining after the only
    /// read lost every event published in between: a job that finished there never told the browser, which waited
    /// forever. Joining before the owner check would send a stranger events in that window, hence two reads.
    /// </summary>
    private async Task<object> SubscribeAsync(string id, Func<Task<object?>> read)
    {
        _ = await read() ?? throw new HubException("Not found.");
        await JoinAsync(Group(id));
        return await read() ?? throw new HubException("Not found.");
    }

    private async Task JoinAsync(string group)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        Security.HubSessionFilter.JoinedGroups(Context).Add(group);
    }
}
