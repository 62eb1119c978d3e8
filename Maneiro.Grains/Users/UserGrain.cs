using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace Maneiro.Grains.Users;

// Placed on the silo whose gateway first brings a call for it. A web instance sends every call for one grain through
// the same gateway, so its later calls (two per upload) arrive where the grain lives instead of being forwarded from
// one silo to the other; the account's analyses and clinic of one follow it there.
[PreferLocalPlacement]
[GrainType("user")]
public sealed partial class UserGrain(
    [PersistentState("user", GrainStorage.Name)] IPersistentState<UserState> state,
    IOptions<UsageLimitsOptions> limits,
    ManeiroTelemetry telemetry,
    IJobAuditor auditor,
    TimeProvider time,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private UsageLedger Ledger => new(state.State, limits.Value, time.GetUtcNow());

    public async Task<ReservationResult> TryReserve(UsageKind kind, string jobId, int amount)
    {
        var (result, changed) = Ledger.TryReserve(kind, jobId, amount);
        await SaveIf(changed);
        if (!result.Granted)
        {
            telemetry.UsageRefused(kind);
            try
            {
                await auditor.UsageRefusedAsync(this.GetPrimaryKeyString(), jobId, kind, state.State.ClinicId);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The refusal stands whether or not its audit row could be written.
                LogAuditFailed(ex.GetType().Name);
            }
        }

        return result;
    }

    public async Task<ReservationResult> StartAnalysis(string jobId, AnalysisRequest request, UploadTextLayer? textLayer)
    {
        if (request.OwnerId != this.GetPrimaryKeyString())
        {
            throw new ArgumentException("An analysis is started by its owner's grain.", nameof(request));
        }

        // Through the grain's own reference: the ledger changes in a turn of its own, never interleaved with another.
        var self = this.AsReference<IUserGrain>();
        var reservation = await self.TryReserve(UsageKind.Analyses, jobId, 1);
        if (!reservation.Granted)
        {
            return reservation;
        }

        var analysis = GrainFactory.GetGrain<IAnalysisGrain>(jobId);
        request = request with { AllowanceReserved = true };
        try
        {
            await (textLayer is null ? analysis.Start(request) : analysis.StartWithTextLayer(request, textLayer));
        }
        catch (Exception)
        {
            await self.Release(jobId);
            throw;
        }

        return reservation;
    }

    public Task Commit(string jobId) => SaveIf(Ledger.Commit(jobId));

    public Task CommitKind(string jobId, UsageKind kind) => SaveIf(Ledger.Commit(jobId, kind));

    public Task Release(string jobId) => SaveIf(Ledger.Release(jobId));

    public async Task<bool> ApplySubscription(SubscriptionUpdate update)
    {
        var applied = Ledger.Apply(update);
        await SaveIf(applied);
        return applied;
    }

    public Task ReplaceSubscription(SubscriptionUpdate update) => SaveIf(Ledger.Replace(update));

    public Task LinkStripeCustomer(string customerId, string? subscriptionId) => SaveIf(Ledger.LinkCustomer(customerId, subscriptionId));

    public async Task<string> Clinic(string email)
    {
        if (state.State.ClinicId is { } existing)
        {
            return existing;
        }

        var userId = this.GetPrimaryKeyString();
        var clinicId = state.State.FoundedOwnClinic ? Guid.NewGuid().ToString("N") : userId;

        // A migrated account's clinic takes the name its letterhead already carries.
        var name = clinicId == userId ? (await GrainFactory.GetGrain<ILetterheadGrain>(userId).Read()).ClinicName : "";
        await GrainFactory.GetGrain<IClinicGrain>(clinicId).Found(userId, email, name);
        state.State.ClinicId = clinicId;
        state.State.FoundedOwnClinic = true;
        await GrainStorage.WriteAsync(state);
        return clinicId;
    }

    public async Task<UserMembership> Membership(string email)
    {
        var clinicId = await Clinic(email);
        return new UserMembership(clinicId, await GrainFactory.GetGrain<IClinicGrain>(clinicId).SeatOf(this.GetPrimaryKeyString()));
    }

    public Task<string?> CurrentClinicId() => Task.FromResult(state.State.ClinicId);

    public Task<bool> ReviewsTranscripts() => Task.FromResult(!state.State.AnalyzeRecordingsRightAway);

    public async Task SetReviewsTranscripts(bool review)
    {
        state.State.AnalyzeRecordingsRightAway = !review;
        await GrainStorage.WriteAsync(state);
    }

    public Task<string?> TimeZone() => Task.FromResult(state.State.TimeZoneId);

    public async Task SetTimeZone(string timeZoneId, bool onlyIfUnset)
    {
        if ((onlyIfUnset && state.State.TimeZoneId is not null) || state.State.TimeZoneId == timeZoneId)
        {
            return;
        }

        state.State.TimeZoneId = timeZoneId;
        await GrainStorage.WriteAsync(state);
    }

    public async Task ForgetAccount()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public async Task MoveToClinic(string clinicId)
    {
        state.State.ClinicId = clinicId;
        state.State.FoundedOwnClinic |= clinicId == this.GetPrimaryKeyString();
        await GrainStorage.WriteAsync(state);
    }

    public async Task LeaveClinic(string clinicId)
    {
        if (state.State.ClinicId == clinicId)
        {
            state.State.ClinicId = null;
            state.State.FoundedOwnClinic = true;
            await GrainStorage.WriteAsync(state);
        }
    }

    public async Task<UserSnapshot> GetSnapshot()
    {
        var ledger = Ledger;
        await SaveIf(ledger.EnsurePeriod() | ledger.ExpireStaleReservations());
        return ledger.Snapshot(this.GetPrimaryKeyString());
    }

    private Task SaveIf(bool changed) => changed ? GrainStorage.WriteAsync(state) : Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A usage refusal could not be audited: {ErrorType}")]
    private partial void LogAuditFailed(string errorType);
}
