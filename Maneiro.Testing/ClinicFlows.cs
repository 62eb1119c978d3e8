using System.Globalization;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Testing;

/// <summary>Clinic membership as people do it: the admin invites on the clinic page, the invitee opens the e-mailed link and accepts.</summary>
public static class ClinicFlows
{
    /// <summary>Sends an invitation from the admin's clinic page and returns the token from the e-mailed link.</summary>
    public static async Task<string> InviteAsync(ManeiroApp app, BrowserSession admin, string email, ClinicRoles roles)
    {
        var sent = await admin.FollowAsync(await admin.SubmitAsync("/Clinic", new Dictionary<string, string> { ["Invite.Email"] = email, ["Invite.Roles"] = ((int)roles).ToString(CultureInfo.InvariantCulture) }, handler: "Invite"));
        Assert.Contains($"An invitation was sent to {email}.", sent.Html, StringComparison.Ordinal);
        var link = MailPickup.LinkPath(await app.Mail.WaitForAsync(email, "invited"));
        Assert.StartsWith("/Clinic/Join?token=", link, StringComparison.Ordinal);
        return Uri.UnescapeDataString(link["/Clinic/Join?token=".Length..]);
    }

    public static async Task JoinAsync(BrowserSession member, string token)
    {
        var (_, html, _) = await member.FollowAsync(await member.SubmitAsync("/Clinic/Join?token=" + Uri.EscapeDataString(token), new Dictionary<string, string> { ["Token"] = token }));
        Assert.Contains("You joined", html, StringComparison.Ordinal);
    }

    /// <summary>A new account that joins the admin's clinic with these roles.</summary>
    public static async Task<(BrowserSession Session, string Email, string UserId)> AddMemberAsync(ManeiroApp app, BrowserSession admin, string name, ClinicRoles roles)
    {
        var (session, email) = await app.SignedInUserAsync(name);
        await JoinAsync(session, await InviteAsync(app, admin, email, roles));
        return (session, email, await app.UserIdAsync(email));
    }

    /// <summary>A clinic of three: its founder (admin and clinician, whose id is the clinic's), a clinician and a staff member.</summary>
    public static async Task<TestClinic> ClinicAsync(ManeiroApp app, string name)
    {
        var (admin, adminEmail) = await app.SignedInUserAsync(name + "-admin");
        var adminId = await app.UserIdAsync(adminEmail);
        var (clinician, clinicianEmail, clinicianId) = await AddMemberAsync(app, admin, name + "-clinician", ClinicRoles.Clinician);
        var (staff, staffEmail, staffId) = await AddMemberAsync(app, admin, name + "-staff", ClinicRoles.Staff);
        return new TestClinic(adminId, new TestMember(admin, adminEmail, adminId), new TestMember(clinician, clinicianEmail, clinicianId), new TestMember(staff, staffEmail, staffId));
    }
}

public sealed record TestMember(BrowserSession Session, string Email, string UserId);

public sealed record TestClinic(string Id, TestMember Admin, TestMember Clinician, TestMember Staff);
