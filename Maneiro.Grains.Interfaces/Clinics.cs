namespace Maneiro.Grains.Interfaces;

/// <summary>What a member may do in their clinic. Valid sets: Admin, Admin|Clinician, Clinician, Staff.</summary>
[Flags]
[GenerateSerializer]
public enum ClinicRoles
{
    None = 0,
    Admin = 1,
    Clinician = 2,
    Staff = 4,
}

/// <summary>Every action a role grants or withholds; one rule (<see cref="ClinicPolicy"/>) for pages, API, hub and grains.</summary>
public enum ClinicAction
{
    /// <summary>Upload a document or dictation for analysis (staff: on behalf of a clinician).</summary>
    SubmitDocument,

    /// <summary>Read an analysis one may see (a clinician's own, or one staff submitted for them).</summary>
    ReadAnalysis,

    /// <summary>Draft a referral, co-management or second-opinion letter.</summary>
    DraftClinicalLetter,

    /// <summary>Draft a patient summary or an insurance / prior-authorization letter.</summary>
    DraftAdministrativeLetter,

    /// <summary>Put one's own signature on a letter.</summary>
    SignLetter,

    /// <summary>Download a letter that carries a signature.</summary>
    ExportSignedLetter,

    /// <summary>Invite, change roles, remove members.</summary>
    ManageMembers,

    /// <summary>Require two-factor sign-in, rename the clinic.</summary>
    ManagePolicy,

    /// <summary>The clinic's letterhead (name, address, logo).</summary>
    EditClinicLetterhead,

    /// <summary>Plans, seats and invoices.</summary>
    ManageBilling,

    /// <summary>Every member's audit rows and usage.</summary>
    ReadClinicAudit,

    /// <summary>See the clinic inbox and its items (every member).</summary>
    ReadInbox,

    /// <summary>Drop documents into the inbox, edit an item's fields, tick front-desk tasks, assign, mark done.</summary>
    WorkInbox,

    /// <summary>Tick the clinician tasks of an inbox item.</summary>
    TickClinicianTasks,

    /// <summary>The inbox's urgency rules and scheduling table.</summary>
    ManageInbox,

    /// <summary>Retention, export and deletion of the clinic's data.</summary>
    ManageData,

    /// <summary>Create, edit and delete the clinic's letter templates (every member drafts with them).</summary>
    ManageTemplates,

    /// <summary>Configure the clinic's FHIR server (its address and bearer token).</summary>
    ManageRecordConnection,

    /// <summary>Send an analysis (and a signed letter) to the clinic's FHIR server.</summary>
    SendToRecord,
}

/// <summary>The role × action matrix.</summary>
public static class ClinicPolicy
{
    public static bool Allows(ClinicRoles roles, ClinicAction action) => action switch
    {
        ClinicAction.ReadInbox => roles != ClinicRoles.None,
        ClinicAction.ManageTemplates => (roles & (ClinicRoles.Admin | ClinicRoles.Clinician)) != 0,
        ClinicAction.SubmitDocument or ClinicAction.ReadAnalysis or ClinicAction.DraftAdministrativeLetter or ClinicAction.WorkInbox => (roles & (ClinicRoles.Clinician | ClinicRoles.Staff)) != 0,
        ClinicAction.DraftClinicalLetter or ClinicAction.SignLetter or ClinicAction.ExportSignedLetter or ClinicAction.TickClinicianTasks or ClinicAction.SendToRecord => roles.HasFlag(ClinicRoles.Clinician),
        ClinicAction.ManageMembers or ClinicAction.ManagePolicy or ClinicAction.EditClinicLetterhead or ClinicAction.ManageBilling or ClinicAction.ReadClinicAudit or ClinicAction.ManageInbox or ClinicAction.ManageData or ClinicAction.ManageRecordConnection => roles.HasFlag(ClinicRoles.Admin),
        _ => false,
    };

    /// <summary>Whether a set of roles is one a member may hold.</summary>
    public static bool IsValid(ClinicRoles roles) => roles is ClinicRoles.Admin or (ClinicRoles.Admin | ClinicRoles.Clinician) or ClinicRoles.Clinician or ClinicRoles.Staff;

    /// <summary>The letters staff may draft (for a clinician's review).</summary>
    public static ClinicAction DraftActionFor(LetterKind kind) =>
        kind is LetterKind.PatientSummary or LetterKind.PriorAuthorization ? ClinicAction.DraftAdministrativeLetter : ClinicAction.DraftClinicalLetter;

    /// <summary>What a member is told when their role does not allow the action (pages and grains say the same).</summary>
    public static string Refusal(ClinicAction action) => action switch
    {
        ClinicAction.TickClinicianTasks => "Only a clinician can tick the clinician's tasks.",
        ClinicAction.ManageInbox => "Only a clinic admin can change the inbox settings.",
        ClinicAction.ManageTemplates => "Only the clinic's admins and clinicians can change its letter templates.",
        ClinicAction.ManageRecordConnection => "Only a clinic admin can change the clinic's FHIR server.",
        ClinicAction.SendToRecord => "Only a clinician can send an analysis to the health record.",
        ClinicAction.WorkInbox => "Your role in the clinic does not include working on the inbox. Ask an admin to make you a clinician or staff member.",
        _ => "Only a member of the clinic whose role allows it can do this.",
    };

    public static string Describe(ClinicRoles roles) => roles switch
    {
        ClinicRoles.Admin => "Admin",
        ClinicRoles.Admin | ClinicRoles.Clinician => "Admin and clinician",
        ClinicRoles.Clinician => "Clinician",
        ClinicRoles.Staff => "Staff",
        _ => "No role",
    };
}

[GenerateSerializer, Immutable, Alias("Maneiro.ClinicMember")]
public sealed record ClinicMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] ClinicRoles Roles,
    [property: Id(3)] DateTimeOffset JoinedAt);

/// <summary>An open invitation as the admin sees it (the token itself is only ever in the e-mail).</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.ClinicInvitation")]
public sealed record ClinicInvitation(
    [property: Id(0)] string Id,
    [property: Id(1)] string Email,
    [property: Id(2)] ClinicRoles Roles,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] string InvitedBy);

[GenerateSerializer, Immutable, Alias("Maneiro.ClinicSnapshot")]
public sealed record ClinicSnapshot(
    [property: Id(0)] string ClinicId,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<ClinicMember> Members,
    [property: Id(3)] IReadOnlyList<ClinicInvitation> Invitations,
    [property: Id(4)] bool RequireTwoFactor);

/// <summary>The clinic's paid plan as Stripe last told it: the subscription (applied to every member), its seats and its line item.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.ClinicBilling")]
public sealed record ClinicBilling(
    [property: Id(0)] SubscriptionUpdate Subscription,
    [property: Id(1)] int Seats,
    [property: Id(2)] string? ItemId);

/// <summary>What one request needs of a member's place: their roles and the clinic's sign-in policy.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.ClinicSeat")]
public sealed record ClinicSeat(
    [property: Id(0)] ClinicRoles Roles,
    [property: Id(1)] bool RequireTwoFactor,
    [property: Id(2)] bool RetentionChosen = true);

/// <summary>A new invitation: its public part and the token for the e-mail link.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.IssuedInvitation")]
public sealed record IssuedInvitation(
    [property: Id(0)] ClinicInvitation Invitation,
    [property: Id(1)] string Token);

/// <summary>What the invitation page shows before it is accepted.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.InvitationPreview")]
public sealed record InvitationPreview(
    [property: Id(0)] string ClinicId,
    [property: Id(1)] string ClinicName,
    [property: Id(2)] string Email,
    [property: Id(3)] ClinicRoles Roles);

/// <summary>A clinic refused a change (not allowed for the caller, the last admin, an expired invitation); the message is for the user.</summary>
[GenerateSerializer, Alias("Maneiro.ClinicRefusedException")]
public sealed class ClinicRefusedException : Exception
{
    public ClinicRefusedException()
    {
    }

    public ClinicRefusedException(string message)
        : base(message)
    {
    }

    public ClinicRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// One clinic, keyed by its id (a clinic of one founded by an account has that account's user id). Every change names
/// the acting member, which the web takes from the signed-in user, never from the browser; the grain checks it against
/// its own roster.
/// </summary>
[Alias("Maneiro.Clinic")]
public interface IClinicGrain : IGrainWithStringKey
{
    /// <summary>Makes a clinic of one with the founder as admin and clinician; calling it again for the same founder changes nothing.</summary>
    [Alias("Found")]
    Task<ClinicSnapshot> Found(string founderId, string email, string name);

    /// <summary>The clinic, or null when it was never founded.</summary>
    [Alias("Read")]
    Task<ClinicSnapshot?> Read();

    [Alias("RolesOf")]
    Task<ClinicRoles> RolesOf(string userId);

    /// <summary>
    /// A read of memory only, so it interleaves: a member's grain asks it while serving the member, and the clinic may be
    /// awaiting that same member's grain (an invitation accepted, a removal) at the time.
    /// </summary>
    [Alias("SeatOf"), Orleans.Concurrency.AlwaysInterleave]
    Task<ClinicSeat> SeatOf(string userId);

    [Alias("Rename")]
    Task<ClinicSnapshot> Rename(string actorId, string name);

    [Alias("Invite")]
    Task<IssuedInvitation> Invite(string actorId, string email, ClinicRoles roles);

    [Alias("RevokeInvitation")]
    Task<ClinicSnapshot> RevokeInvitation(string actorId, string invitationId);

    /// <summary>The invitation a token stands for, or null when it is unknown, used or expired.</summary>
    [Alias("Preview")]
    Task<InvitationPreview?> Preview(string token);

    /// <summary>Adds the account to the clinic (moving it out of its clinic of one) and uses the invitation up.</summary>
    [Alias("Accept")]
    Task<ClinicSnapshot> Accept(string token, string userId, string email);

    [Alias("ChangeRoles")]
    Task<ClinicSnapshot> ChangeRoles(string actorId, string memberId, ClinicRoles roles);

    /// <summary>Removes a member (an admin removing someone, or a member leaving: actor = member).</summary>
    [Alias("Remove")]
    Task<ClinicSnapshot> Remove(string actorId, string memberId);

    /// <summary>Empties this clinic when it is a clinic of this one account (called when the account joins another clinic).</summary>
    [Alias("DissolveClinicOfOne")]
    Task DissolveClinicOfOne(string userId);

    /// <summary>
    /// Applies a subscription (from Stripe) to the clinic and every member's user grain, unless a newer one was already
    /// applied. Returns whether it changed anything.
    /// </summary>
    [Alias("ApplySubscription")]
    Task<bool> ApplySubscription(SubscriptionUpdate update, int seats, string? itemId);

    [Alias("Billing")]
    Task<ClinicBilling?> Billing();

    [Alias("SetRequireTwoFactor")]
    Task<ClinicSnapshot> SetRequireTwoFactor(string actorId, bool required);

    /// <summary>The inbox's urgency rules and scheduling table (the defaults until an admin saves them).</summary>
    [Alias("InboxSettings")]
    Task<InboxSettings> InboxSettings();

    [Alias("SaveInboxSettings")]
    Task<InboxSettings> SaveInboxSettings(string actorId, InboxSettings settings);

    /// <summary>The clinic's FHIR server, or null when none is configured.</summary>
    [Alias("FhirDestination")]
    Task<FhirDestination?> FhirDestination();

    /// <summary>Saves (or, with null, removes) the clinic's FHIR server; admins only.</summary>
    [Alias("SaveFhirDestination")]
    Task<FhirDestination?> SaveFhirDestination(string actorId, FhirDestination? destination);

    [Alias("Retention")]
    Task<RetentionPolicy> Retention();

    /// <summary>
    /// Deletes the clinic: from now on no member has a role in it; its data is purged through the sweeper, after which
    /// every member leaves it (each gets a new, empty clinic of one). <paramref name="typedName"/> must be the clinic's
    /// name (or the phrase a nameless clinic asks for).
    /// </summary>
    [Alias("Delete")]
    Task Delete(string actorId, string typedName);

    /// <summary>Every member's id, whatever the clinic's state (the sweeper's list, also while it is being deleted).</summary>
    [Alias("MemberIds")]
    Task<IReadOnlyList<string>> MemberIds();

    /// <summary>Called by the sweeper when a deleted clinic's data is gone: the members leave it.</summary>
    [Alias("FinishDeletion")]
    Task FinishDeletion();

    [Alias("DeletedAt")]
    Task<DateTimeOffset?> DeletedAt();

    /// <summary>Saves an admin's retention choice (days 1–365 or null to keep) and schedules the sweeper accordingly.</summary>
    [Alias("SaveRetention")]
    Task<RetentionPolicy> SaveRetention(string actorId, int? days, bool deleteAudioAfterTranscription);
}
