using Maneiro.Grains.Domain.Clinics;
using Maneiro.Grains.Interfaces;
using Orleans.Placement;

namespace Maneiro.Grains.Clinics;

/// <summary>Persisted state of <see cref="ClinicGrain"/>.</summary>
[GenerateSerializer, Alias("Maneiro.ClinicState")]
public sealed class ClinicState
{
    [Id(0)] public string Name { get; set; } = "";

    [Id(1)] public ClinicRosterState Roster { get; set; } = new();

    [Id(2)] public bool RequireTwoFactor { get; set; }

    [Id(3)] public DateTimeOffset? FoundedAt { get; set; }

    [Id(4)] public ClinicBilling? Billing { get; set; }

    [Id(5)] public InboxSettings? Inbox { get; set; }

    /// <summary>Null for a clinic founded before retention existed (it keeps everything until an admin chooses).</summary>
    [Id(6)] public RetentionPolicy? Retention { get; set; }

    /// <summary>When an admin deleted the clinic: no one has a role in it any more, and its data is being purged.</summary>
    [Id(7)] public DateTimeOffset? DeletedAt { get; set; }

    [Id(8)] public FhirDestination? Fhir { get; set; }
}

/// <summary>
/// One clinic: its roster, invitations and policy. The roster's rules live in <see cref="ClinicRoster"/>; this grain
/// stores them and tells the members' user grains which clinic they belong to.
/// </summary>
// Placed beside the grain that activates it, usually a member's asking for its seat on a request (a clinic of one:
// its only member's), so that question stays in the process.
[PreferLocalPlacement]
[GrainType("clinic")]
public sealed class ClinicGrain([PersistentState("clinic", GrainStorage.Name)] IPersistentState<ClinicState> state, TimeProvider time) : Grain, IClinicGrain
{
    private ClinicRoster Roster => new(state.State.Roster, time);

    private string Id => this.GetPrimaryKeyString();

    public async Task<ClinicSnapshot> Found(string founderId, string email, string name)
    {
        if (state.State.FoundedAt is null)
        {
            state.State.FoundedAt = time.GetUtcNow();
            state.State.Name = name.Trim();
            state.State.Retention = RetentionPolicy.ForNewClinic;
            Roster.AddFounder(founderId, email);
            await GrainStorage.WriteAsync(state);
        }
        else if (Roster.RolesOf(founderId) == ClinicRoles.None)
        {
            throw new ClinicRefusedException("This clinic was founded by another account.");
        }

        return Snapshot();
    }

    public Task<ClinicSnapshot?> Read() => Task.FromResult(state.State.FoundedAt is null || state.State.DeletedAt is not null ? null : Snapshot());

    /// <summary>No one has a role in a deleted clinic, so every check on pages, API, hub and grains refuses at once.</summary>
    public Task<ClinicRoles> RolesOf(string userId) => Task.FromResult(state.State.DeletedAt is null ? Roster.RolesOf(userId) : ClinicRoles.None);

    public Task<ClinicSeat> SeatOf(string userId) => Task.FromResult(new ClinicSeat(state.State.DeletedAt is null ? Roster.RolesOf(userId) : ClinicRoles.None, state.State.RequireTwoFactor, Policy.Chosen));

    public Task<IReadOnlyList<string>> MemberIds() => Task.FromResult<IReadOnlyList<string>>(Roster.Members.Select(m => m.UserId).ToList());

    public Task<DateTimeOffset?> DeletedAt() => Task.FromResult(state.State.DeletedAt);

    public async Task Delete(string actorId, string typedName)
    {
        if (state.State.DeletedAt is not null)
        {
            return;
        }

        Roster.Require(actorId, ClinicAction.ManageData);
        if (!string.Equals(typedName.Trim(), ClinicDeletion.Confirmation(state.State.Name), StringComparison.OrdinalIgnoreCase))
        {
            throw new ClinicRefusedException($"Type \u201C{ClinicDeletion.Confirmation(state.State.Name)}\u201D to confirm.");
        }

        state.State.DeletedAt = time.GetUtcNow();
        await GrainStorage.WriteAsync(state);
        await GrainFactory.GetGrain<IRetentionGrain>(Id).Purge();
    }

    public async Task FinishDeletion()
    {
        foreach (var member in Roster.Members.ToList())
        {
            await SendAwayAsync(member.UserId);
        }

        // Only the mark stays: the name, roster, invitations and plan go with the clinic.
        var deletedAt = state.State.DeletedAt;
        state.State = new ClinicState { DeletedAt = deletedAt, FoundedAt = state.State.FoundedAt };
        await GrainStorage.WriteAsync(state);
    }

    private RetentionPolicy Policy => state.State.Retention ?? RetentionPolicy.ForExistingClinic;

    public Task<RetentionPolicy> Retention() => Task.FromResult(Policy);

    public async Task<RetentionPolicy> SaveRetention(string actorId, int? days, bool deleteAudioAfterTranscription)
    {
        Roster.Require(actorId, ClinicAction.ManageData);
        if (days is < RetentionPolicy.MinDays or > RetentionPolicy.MaxDays)
        {
            throw new ClinicRefusedException($"Keep documents for {RetentionPolicy.MinDays} to {RetentionPolicy.MaxDays} days, or choose to keep them.");
        }

        state.State.Retention = new RetentionPolicy(days, deleteAudioAfterTranscription, Chosen: true);
        await GrainStorage.WriteAsync(state);
        await GrainFactory.GetGrain<IRetentionGrain>(Id).Schedule(days is not null);
        return Policy;
    }

    public async Task<ClinicSnapshot> Rename(string actorId, string name)
    {
        Roster.Require(actorId, ClinicAction.ManagePolicy);
        name = name.Trim();
        if (name.Length is 0 or > 120)
        {
            throw new ClinicRefusedException("Enter the clinic's name (up to 120 characters).");
        }

        state.State.Name = name;
        await GrainStorage.WriteAsync(state);
        return Snapshot();
    }

    public async Task<IssuedInvitation> Invite(string actorId, string email, ClinicRoles roles)
    {
        var issued = Roster.Invite(Id, actorId, email, roles);
        await GrainStorage.WriteAsync(state);
        return issued;
    }

    public async Task<ClinicSnapshot> RevokeInvitation(string actorId, string invitationId)
    {
        Roster.Revoke(actorId, invitationId);
        await GrainStorage.WriteAsync(state);
        return Snapshot();
    }

    public Task<InvitationPreview?> Preview(string token) =>
        Task.FromResult(Secret(token) is { } secret && Roster.FindInvitation(secret) is { } invitation
            ? new InvitationPreview(Id, state.State.Name, invitation.Email, invitation.Roles)
            : null);

    public async Task<ClinicSnapshot> Accept(string token, string userId, string email)
    {
        var invitation = Roster.CheckAcceptable(Secret(token) ?? "", userId, email);

        // Out of the clinic of one first (it refuses when that clinic has other members), then in here.
        var user = GrainFactory.GetGrain<IUserGrain>(userId);

        // A paid plan of the account's own would go on billing after it joins: it must be cancelled first.
        if (await user.GetSnapshot() is { StripeSubscriptionId: not null, Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue })
        {
            throw new ClinicRefusedException("Your account has a paid plan of its own. Cancel it (Account, then Manage billing) before you join this clinic, which has its own plan.");
        }

        if (await user.CurrentClinicId() is { } current && current != Id)
        {
            await GrainFactory.GetGrain<IClinicGrain>(current).DissolveClinicOfOne(userId);
        }

        Roster.Accept(invitation, userId, email);
        await GrainStorage.WriteAsync(state);
        await user.MoveToClinic(Id);

        // The newcomer is on the clinic's plan from now on.
        if (state.State.Billing is { } billing)
        {
            await user.ReplaceSubscription(billing.Subscription);
        }

        return Snapshot();
    }

    public async Task<ClinicSnapshot> ChangeRoles(string actorId, string memberId, ClinicRoles roles)
    {
        Roster.ChangeRoles(actorId, memberId, roles);
        await GrainStorage.WriteAsync(state);
        return Snapshot();
    }

    public async Task<ClinicSnapshot> Remove(string actorId, string memberId)
    {
        Roster.Remove(actorId, memberId);
        await GrainStorage.WriteAsync(state);
        await SendAwayAsync(memberId);
        return Snapshot();
    }

    /// <summary>A member leaves: out of this clinic and, off its plan, back to the free tier in a clinic of one.</summary>
    private async Task SendAwayAsync(string memberId)
    {
        var user = GrainFactory.GetGrain<IUserGrain>(memberId);
        await user.LeaveClinic(Id);
        if (state.State.Billing is not null)
        {
            await user.ReplaceSubscription(new SubscriptionUpdate(SubscriptionTier.Free, SubscriptionStatus.None, null, null, null, null, time.GetUtcNow()));
        }
    }

    public async Task<bool> ApplySubscription(SubscriptionUpdate update, int seats, string? itemId)
    {
        if (state.State.Billing is { } current && current.Subscription.EventTime > update.EventTime)
        {
            return false;
        }

        // While the clinic pays through one subscription, another one (a member's former plan of their own, still
        // sending events) cannot change it; a new subscription is taken once the old one has ended.
        if (state.State.Billing?.Subscription is { StripeSubscriptionId: { } existing, Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue }
            && update.StripeSubscriptionId is { } incoming && incoming != existing)
        {
            return false;
        }

        // Changed: the seats, or any member's plan (each user grain says whether the update changed it).
        var changed = state.State.Billing is not { } before || before.Seats != seats || before.ItemId != itemId;
        state.State.Billing = new ClinicBilling(update, seats, itemId);
        await GrainStorage.WriteAsync(state);
        foreach (var member in Roster.Members.ToList())
        {
            changed |= await GrainFactory.GetGrain<IUserGrain>(member.UserId).ApplySubscription(update);
        }

        return changed;
    }

    public Task<ClinicBilling?> Billing() => Task.FromResult(state.State.Billing);

    public async Task DissolveClinicOfOne(string userId)
    {
        Roster.Dissolve(userId);
        await GrainStorage.WriteAsync(state);
    }

    public async Task<ClinicSnapshot> SetRequireTwoFactor(string actorId, bool required)
    {
        Roster.Require(actorId, ClinicAction.ManagePolicy);
        state.State.RequireTwoFactor = required;
        await GrainStorage.WriteAsync(state);
        return Snapshot();
    }

    public Task<InboxSettings> InboxSettings() => Task.FromResult(state.State.Inbox ?? Interfaces.InboxSettings.Default);

    public async Task<InboxSettings> SaveInboxSettings(string actorId, InboxSettings settings)
    {
        Roster.Require(actorId, ClinicAction.ManageInbox);
        state.State.Inbox = Domain.Inbox.InboxSettingsRules.Checked(settings);
        await GrainStorage.WriteAsync(state);
        return state.State.Inbox;
    }

    public Task<FhirDestination?> FhirDestination() => Task.FromResult(state.State.Fhir);

    public async Task<FhirDestination?> SaveFhirDestination(string actorId, FhirDestination? destination)
    {
        Roster.Require(actorId, ClinicAction.ManageRecordConnection);
        if (destination is not null && FhirAddressRules.Problem(destination.BaseUrl) is { } problem)
        {
            throw new ClinicRefusedException(problem);
        }

        state.State.Fhir = destination;
        await GrainStorage.WriteAsync(state);
        return destination;
    }

    /// <summary>The secret part of a token that names this clinic; null for any other token.</summary>
    private string? Secret(string token) =>
        token.StartsWith(Id + ".", StringComparison.Ordinal) ? token[(Id.Length + 1)..] : null;

    private ClinicSnapshot Snapshot() => new(Id, state.State.Name, Roster.Members.ToList(), Roster.OpenInvitations(), state.State.RequireTwoFactor);
}
