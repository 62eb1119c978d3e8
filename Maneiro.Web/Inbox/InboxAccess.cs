using Maneiro.Grains.Interfaces;
using Maneiro.Web.Clinics;

namespace Maneiro.Web.Inbox;

/// <summary>An inbox item as the signed-in member may see it, with their place in the clinic.</summary>
public sealed record InboxItemAccess(Membership Actor, IntakeItemView Item);

/// <summary>
/// The one access check for inbox pages, API and hub: a member of the item's clinic, right now, whose role lets them
/// read the inbox. An item of another clinic reads exactly like a missing one.
/// </summary>
public sealed class InboxAccess(IGrainFactory grains, ClinicMembership memberships)
{
    public async Task<Membership?> ReaderAsync(HttpContext context) =>
        await memberships.ForAsync(context) is { } actor && actor.Can(ClinicAction.ReadInbox) ? actor : null;

    public async Task<InboxItemAccess?> ItemAsync(HttpContext context, string itemId)
    {
        if (!Jobs.AnalysisAccess.IsJobId(itemId) || await ReaderAsync(context) is not { } actor)
        {
            return null;
        }

        return await Grain(itemId).View() is { } item && item.Upload.ClinicId == actor.ClinicId ? new InboxItemAccess(actor, item) : null;
    }

    public IIntakeItemGrain Grain(string itemId) => grains.GetGrain<IIntakeItemGrain>(itemId);

    /// <summary>The clinic's members, read once per page: their e-mails by id, and the clinicians items can be assigned to.</summary>
    public async Task<(IReadOnlyDictionary<string, string> Emails, IReadOnlyList<ClinicMember> Clinicians)> MembersAsync(Membership actor)
    {
        var members = (await memberships.Clinic(actor.ClinicId).Read())?.Members ?? [];
        return (members.ToDictionary(m => m.UserId, m => m.Email), members.Where(m => m.Roles.HasFlag(ClinicRoles.Clinician)).OrderBy(m => m.Email, StringComparer.OrdinalIgnoreCase).ToList());
    }

    public static string Group(string clinicId) => "inbox:" + clinicId;
}
