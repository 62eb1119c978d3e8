using System.Security.Cryptography;
using System.Text;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain.Clinics;

/// <summary>Persisted state of a clinic's members and invitations (the clinic grain's state holds one).</summary>
[GenerateSerializer, Alias("Maneiro.ClinicRosterState")]
public sealed class ClinicRosterState
{
    [Id(0)] public List<ClinicMember> Members { get; set; } = [];

    [Id(1)] public List<StoredInvitation> Invitations { get; set; } = [];
}

/// <summary>An invitation as stored: only the SHA-256 of its token, so the database never holds a usable link.</summary>
[GenerateSerializer, Alias("Maneiro.StoredInvitation")]
public sealed class StoredInvitation
{
    [Id(0)] public ClinicInvitation Invitation { get; set; } = null!;

    [Id(1)] public string TokenHash { get; set; } = "";
}

/// <summary>
/// The rules of a clinic's membership: who may change what, the last admin, invitations that expire and are used
/// once. Plain code over <see cref="ClinicRosterState"/>; the grain stores and orchestrates.
/// </summary>
public sealed class ClinicRoster(ClinicRosterState state, TimeProvider time)
{
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public const string NotAllowed = "Only a clinic admin can do that.";

    public IReadOnlyList<ClinicMember> Members => state.Members;

    public ClinicRoles RolesOf(string userId) => Find(userId)?.Roles ?? ClinicRoles.None;

    public IReadOnlyList<ClinicInvitation> OpenInvitations() =>
        state.Invitations.Where(i => i.Invitation.ExpiresAt > time.GetUtcNow()).Select(i => i.Invitation).ToList();

    public void AddFounder(string userId, string email)
    {
        if (state.Members.Count == 0)
        {
            state.Members.Add(new ClinicMember(userId, email, ClinicRoles.Admin | ClinicRoles.Clinician, time.GetUtcNow()));
        }
    }

    public void Require(string actorId, ClinicAction action)
    {
        if (!ClinicPolicy.Allows(RolesOf(actorId), action))
        {
            throw new ClinicRefusedException(NotAllowed);
        }
    }

    /// <summary>Issues an invitation; returns it with the token for the e-mail (the token is the clinic id, a dot, and a secret).</summary>
    public IssuedInvitation Invite(string clinicId, string actorId, string email, ClinicRoles roles)
    {
        Require(actorId, ClinicAction.ManageMembers);
        email = email.Trim();
        if (!email.Contains('@', StringComparison.Ordinal) || email.Length > 254)
        {
            throw new ClinicRefusedException("Enter the e-mail address of the person to invite.");
        }

        RequireValid(roles);
        if (state.Members.Any(m => string.Equals(m.Email, email, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ClinicRefusedException($"{email} is already a member of this clinic.");
        }

        // A new invitation to the same address replaces the earlier one (its link stops working).
        state.Invitations.RemoveAll(i => string.Equals(i.Invitation.Email, email, StringComparison.OrdinalIgnoreCase) || i.Invitation.ExpiresAt <= time.GetUtcNow());
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var invitation = new ClinicInvitation(Guid.NewGuid().ToString("N"), email, roles, time.GetUtcNow() + InvitationLifetime, actorId);
        state.Invitations.Add(new StoredInvitation { Invitation = invitation, TokenHash = Hash(secret) });
        return new IssuedInvitation(invitation, clinicId + "." + secret);
    }

    public void Revoke(string actorId, string invitationId)
    {
        Require(actorId, ClinicAction.ManageMembers);
        state.Invitations.RemoveAll(i => i.Invitation.Id == invitationId);
    }

    /// <summary>The open invitation a token's secret stands for.</summary>
    public ClinicInvitation? FindInvitation(string secret)
    {
        var hash = Hash(secret);
        return state.Invitations.FirstOrDefault(i => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(i.TokenHash), Encoding.ASCII.GetBytes(hash)) && i.Invitation.ExpiresAt > time.GetUtcNow())?.Invitation;
    }

    /// <summary>Checks that the invitation can be taken by this account, before anything is moved.</summary>
    public ClinicInvitation CheckAcceptable(string secret, string userId, string email)
    {
        var invitation = FindInvitation(secret) ?? throw new ClinicRefusedException("This invitation has expired or was already used. Ask the clinic's admin for a new one.");
        if (!string.Equals(invitation.Email, email.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new ClinicRefusedException($"This invitation is for {invitation.Email}. Sign in with that address to accept it.");
        }

        if (Find(userId) is not null)
        {
            throw new ClinicRefusedException("You are already a member of this clinic.");
        }

        return invitation;
    }

    public void Accept(ClinicInvitation invitation, string userId, string email)
    {
        state.Invitations.RemoveAll(i => i.Invitation.Id == invitation.Id);
        state.Members.Add(new ClinicMember(userId, email.Trim(), invitation.Roles, time.GetUtcNow()));
    }

    public void ChangeRoles(string actorId, string memberId, ClinicRoles roles)
    {
        Require(actorId, ClinicAction.ManageMembers);
        RequireValid(roles);
        var member = Find(memberId) ?? throw new ClinicRefusedException("That person is not a member of this clinic.");
        if (member.Roles.HasFlag(ClinicRoles.Admin) && !roles.HasFlag(ClinicRoles.Admin))
        {
            RequireAnotherAdmin(memberId, "demoted");
        }

        state.Members[state.Members.IndexOf(member)] = member with { Roles = roles };
    }

    /// <summary>Removes a member: an admin may remove anyone, anyone may leave; the last admin may do neither.</summary>
    public ClinicMember Remove(string actorId, string memberId)
    {
        if (actorId != memberId)
        {
            Require(actorId, ClinicAction.ManageMembers);
        }

        var member = Find(memberId) ?? throw new ClinicRefusedException("That person is not a member of this clinic.");
        if (member.Roles.HasFlag(ClinicRoles.Admin))
        {
            RequireAnotherAdmin(memberId, "removed");
        }

        state.Members.Remove(member);
        return member;
    }

    /// <summary>Whether the clinic is just this account (the only kind an account may leave by accepting another clinic's invitation).</summary>
    public bool IsClinicOfOne(string userId) => state.Members.Count == 1 && state.Members[0].UserId == userId;

    /// <summary>Empties a clinic of one whose member moved to another clinic.</summary>
    public void Dissolve(string userId)
    {
        if (!IsClinicOfOne(userId))
        {
            throw new ClinicRefusedException("You are a member of a clinic with other members. Leave it before you join another one.");
        }

        state.Members.Clear();
        state.Invitations.Clear();
    }

    private ClinicMember? Find(string userId) => state.Members.FirstOrDefault(m => m.UserId == userId);

    private void RequireAnotherAdmin(string memberId, string verb)
    {
        if (!state.Members.Any(m => m.UserId != memberId && m.Roles.HasFlag(ClinicRoles.Admin)))
        {
            throw new ClinicRefusedException($"The clinic's last admin cannot be {verb}. Make another member an admin first.");
        }
    }

    private static void RequireValid(ClinicRoles roles)
    {
        if (!ClinicPolicy.IsValid(roles))
        {
            throw new ClinicRefusedException("Choose a role: admin, admin and clinician, clinician or staff.");
        }
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
