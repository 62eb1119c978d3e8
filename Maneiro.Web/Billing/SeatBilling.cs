using Maneiro.Grains.Domain.Clinics;
using Maneiro.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Billing;

/// <summary>
/// Keeps a paying clinic's Stripe seats equal to its members: called after anyone joins, leaves or changes role.
/// Stripe answers with a subscription update (webhook), which records the new seat count on the clinic.
/// </summary>
public sealed partial class SeatBilling(StripeGateway stripe, IOptions<BillingOptions> options, IGrainFactory grains, ILogger<SeatBilling> logger)
{
    public int PaidSeats(ClinicSnapshot clinic) => ClinicSeats.Paid(clinic.Members, options.Value.FreeStaffSeats);

    /// <summary>Returns false when Stripe could not be told (the change stands; the seats are corrected at the next change).</summary>
    public async Task<bool> SyncAsync(string clinicId, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IClinicGrain>(clinicId);
        if (!options.Value.Configured
            || await grain.Billing() is not { Subscription: { StripeSubscriptionId: { } subscriptionId, Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue }, ItemId: { } itemId } billing
            || await grain.Read() is not { } clinic)
        {
            return true;
        }

        var seats = PaidSeats(clinic);
        if (seats == billing.Seats)
        {
            return true;
        }

        try
        {
            await stripe.UpdateSeatsAsync(subscriptionId, itemId, seats, cancellationToken);
            LogSeatsChanged(clinicId, billing.Seats, seats);
            return true;
        }
        catch (Stripe.StripeException ex)
        {
            LogSeatsFailed(clinicId, ex.StripeError?.Type ?? ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Clinic {ClinicId} seats {From} -> {To} sent to Stripe")]
    private partial void LogSeatsChanged(string clinicId, int from, int to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clinic {ClinicId} seats could not be updated with Stripe: {ErrorType}")]
    private partial void LogSeatsFailed(string clinicId, string errorType);
}
