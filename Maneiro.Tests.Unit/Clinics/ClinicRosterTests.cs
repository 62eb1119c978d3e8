using Maneiro.Grains.Domain.Clinics;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Clinics;

public sealed class ClinicRosterTests
{
    private readonly ManualClock _clock = new();
    private readonly ClinicRosterState _state = new();

    private ClinicRoster Roster => new(_state, _clock);

    public ClinicRosterTests() => Roster.AddFounder("ada", "ada@clinic.org");

    [Fact]
    public void The_founder_is_admin_and_clinician()
    {
        Assert.Equal(ClinicRoles.Admin | ClinicRoles.Clinician, Roster.RolesOf("ada"));
        Assert.True(Roster.IsClinicOfOne("ada"));
    }

    [Fact]
    public void An_invitation_is_taken_once_by_its_address_and_stored_only_as_a_hash()
    {
        var issued = Roster.Invite("clinic-1", "ada", "Bo@Clinic.org", ClinicRoles.Staff);
        var secret = issued.Token["clinic-1.".Length..];
        Assert.DoesNotContain(_state.Invitations, i => i.TokenHash.Contains(secret, StringComparison.Ordinal));

        var wrongAddress = Assert.Throws<ClinicRefusedException>(() => Roster.CheckAcceptable(secret, "eve", "eve@elsewhere.org"));
        Assert.Contains("This invitation is for Bo@Clinic.org", wrongAddress.Message, StringComparison.Ordinal);

        var invitation = Roster.CheckAcceptable(secret, "bo", "bo@clinic.org");
        Roster.Accept(invitation, "bo", "bo@clinic.org");
        Assert.Equal(ClinicRoles.Staff, Roster.RolesOf("bo"));
        Assert.Throws<ClinicRefusedException>(() => Roster.CheckAcceptable(secret, "cy", "bo@clinic.org"));
    }

    [Fact]
    public void An_invitation_expires_after_seven_days_and_a_new_one_replaces_the_old_link()
    {
        var first = Roster.Invite("c", "ada", "bo@clinic.org", ClinicRoles.Clinician).Token[2..];
        var second = Roster.Invite("c", "ada", "bo@clinic.org", ClinicRoles.Clinician).Token[2..];
        Assert.Null(Roster.FindInvitation(first));
        Assert.NotNull(Roster.FindInvitation(second));

        _clock.Advance(ClinicRoster.InvitationLifetime + TimeSpan.FromMinutes(1));
        Assert.Null(Roster.FindInvitation(second));
        Assert.Empty(Roster.OpenInvitations());
    }

    [Fact]
    public void Only_an_admin_invites_changes_roles_or_removes_others()
    {
        Join("bo", ClinicRoles.Clinician);
        Join("cy", ClinicRoles.Staff);
        Assert.Equal(ClinicRoster.NotAllowed, Assert.Throws<ClinicRefusedException>(() => Roster.Invite("c", "bo", "x@y.org", ClinicRoles.Staff)).Message);
        Assert.Throws<ClinicRefusedException>(() => Roster.ChangeRoles("cy", "cy", ClinicRoles.Clinician));
        Assert.Throws<ClinicRefusedException>(() => Roster.Remove("bo", "cy"));

        // Anyone may leave.
        Roster.Remove("cy", "cy");
        Assert.Equal(ClinicRoles.None, Roster.RolesOf("cy"));
    }

    [Fact]
    public void The_last_admin_can_neither_leave_nor_be_demoted_until_there_is_another()
    {
        Join("bo", ClinicRoles.Clinician);
        Assert.Contains("last admin", Assert.Throws<ClinicRefusedException>(() => Roster.Remove("ada", "ada")).Message, StringComparison.Ordinal);
        Assert.Contains("last admin", Assert.Throws<ClinicRefusedException>(() => Roster.ChangeRoles("ada", "ada", ClinicRoles.Clinician)).Message, StringComparison.Ordinal);

        Roster.ChangeRoles("ada", "bo", ClinicRoles.Admin);
        Roster.ChangeRoles("ada", "ada", ClinicRoles.Clinician);
        Assert.Equal(ClinicRoles.Clinician, Roster.RolesOf("ada"));
        Roster.Remove("bo", "ada");
        Assert.Equal(ClinicRoles.None, Roster.RolesOf("ada"));
    }

    [Fact]
    public void Invalid_role_sets_and_existing_members_are_refused()
    {
        Assert.Throws<ClinicRefusedException>(() => Roster.Invite("c", "ada", "x@y.org", ClinicRoles.Clinician | ClinicRoles.Staff));
        Assert.Throws<ClinicRefusedException>(() => Roster.Invite("c", "ada", "ADA@clinic.org", ClinicRoles.Staff));
        Assert.Throws<ClinicRefusedException>(() => Roster.Invite("c", "ada", "not-an-address", ClinicRoles.Staff));
    }

    [Fact]
    public void Only_a_clinic_of_one_dissolves_when_its_member_joins_another()
    {
        Join("bo", ClinicRoles.Staff);
        Assert.Throws<ClinicRefusedException>(() => Roster.Dissolve("ada"));
        Roster.Remove("ada", "bo");
        Roster.Dissolve("ada");
        Assert.Empty(Roster.Members);
    }

    private void Join(string userId, ClinicRoles roles)
    {
        var token = Roster.Invite("c", "ada", userId + "@clinic.org", roles).Token[2..];
        Roster.Accept(Roster.CheckAcceptable(token, userId, userId + "@clinic.org"), userId, userId + "@clinic.org");
    }
}
