using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Billing;
using Stripe;

namespace Maneiro.Web.Clinics;

/// <summary>
/// Deletes a clinic for the admin page and for the erasure of a clinic of one: the paid plan is canceled in Stripe
/// first (if Stripe cannot be reached nothing is deleted), then the clinic grain takes every role away and purges the
/// data, and every member's live connections close.
/// </summary>
public sealed partial class ClinicClosure(ClinicMembership memberships, StripeGateway stripe, Security.SessionRevocation sessions, AuditTrail audit, ILogger<ClinicClosure> logger)
{
    public const string StripeUnavailable = "The clinic's subscription could not be canceled with Stripe just now, so nothing was deleted. Try again in a few minutes.";

    /// <summary>Null when deleted; otherwise what to tell the admin.</summary>
    public async Task<string?> CloseAsync(Membership admin, string confirmation, CancellationToken cancellationToken)
    {
        var clinic = memberships.Clinic(admin.ClinicId);
        if (await clinic.Billing() is { Subscription: { StripeSubscriptionId: { } subscriptionId, Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue } })
        {
            try
            {
                await stripe.CancelSubscriptionAsync(subscriptionId, cancellationToken);
            }
            catch (StripeException ex)
            {
                LogCancelFailed(ex.StripeError?.Type ?? "unknown");
                return StripeUnavailable;
            }
        }

        var members = await clinic.MemberIds();
        try
        {
            await clinic.Delete(admin.UserId, confirmation);
        }
        catch (ClinicRefusedException ex)
        {
            return ex.Message;
        }

        await audit.RecordAsync(AuditActions.ClinicDeleted, AuditOutcomes.Success, admin.UserId, admin.ClinicId, new { members = members.Count });
        foreach (var memberId in members)
        {
            await sessions.RevokeAsync(memberId);
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canceling a deleted clinic's subscription failed: {ErrorType}")]
    private partial void LogCancelFailed(string errorType);
}
