using System.Security.Claims;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Clinics;

/// <summary>The signed-in account's place in its clinic, read from the grains on every request (never from the browser).</summary>
public sealed record Membership(string UserId, string Email, string ClinicId, ClinicRoles Roles, bool ClinicRequiresTwoFactor = false, bool RetentionChosen = true)
{
    public bool Can(ClinicAction action) => ClinicPolicy.Allows(Roles, action);
}

/// <summary>
/// Resolves the acting member for pages, API and hub: the user id and e-mail come from the sign-in cookie, the clinic
/// and roles from the user and clinic grains, so a removal or a role change counts from the next request on. An
/// account made before clinics existed is given its clinic of one here, on first use.
/// </summary>
public sealed class ClinicMembership(IGrainFactory grains)
{
    private static readonly object CacheKey = new();

    public async Task<Membership?> ForAsync(ClaimsPrincipal user)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null)
        {
            return null;
        }

        var email = user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name ?? "";
        var (clinicId, seat) = await grains.GetGrain<IUserGrain>(userId).Membership(email);
        return new Membership(userId, email, clinicId, seat.Roles, seat.RequireTwoFactor, seat.RetentionChosen);
    }

    /// <summary>The same, read once per request.</summary>
    public async Task<Membership?> ForAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(CacheKey, out var cached) && cached is Membership membership)
        {
            return membership;
        }

        var read = await ForAsync(context.User);
        if (read is not null)
        {
            context.Items[CacheKey] = read;
        }

        return read;
    }

    /// <summary>Whether <paramref name="otherUserId"/> is in the acting member's clinic right now, with these roles.</summary>
    public async Task<ClinicRoles> RolesInSameClinicAsync(Membership actor, string otherUserId) =>
        await grains.GetGrain<IUserGrain>(otherUserId).CurrentClinicId() == actor.ClinicId
            ? await Clinic(actor.ClinicId).RolesOf(otherUserId)
            : ClinicRoles.None;

    public IClinicGrain Clinic(string clinicId) => grains.GetGrain<IClinicGrain>(clinicId);
}
