using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Data;
using Maneiro.Web.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Stripe;

namespace Maneiro.Web.Billing;

/// <summary>
/// Turns verified Stripe events into clinic (and so every member's user-grain) updates. Subscription state is re-read from Stripe, so deliveries
/// in any order converge on Stripe's current state; the grain also ignores anything older than what it applied.
/// </summary>
public sealed partial class StripeEventProcessor(
    Maneiro.Grains.Observability.ManeiroTelemetry telemetry,
    StripeGateway stripe,
    StripeEventLedger ledger,
    IGrainFactory grains,
    IOptions<BillingOptions> options,
    UserManager<ManeiroUser> users,
    EmailSender email,
    AuditLog audit,
    AuditClinics clinics,
    ILogger<StripeEventProcessor> logger)
{
    public async Task HandleAsync(Event stripeEvent, string baseUrl, CancellationToken cancellationToken)
    {
        var eventTime = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc));
        switch (stripeEvent.Type)
        {
            case EventTypes.CheckoutSessionCompleted when stripeEvent.Data.Object is Stripe.Checkout.Session session:
                await CheckoutCompletedAsync(session, eventTime, cancellationToken);
                break;
            case EventTypes.CustomerSubscriptionCreated or EventTypes.CustomerSubscriptionUpdated or EventTypes.CustomerSubscriptionDeleted
                when stripeEvent.Data.Object is Subscription subscription:
                await SyncAsync(subscription.Id, eventTime, cancellationToken);
                break;
            case EventTypes.InvoicePaymentSucceeded when stripeEvent.Data.Object is Invoice invoice:
                if (invoice.Parent?.SubscriptionDetails?.SubscriptionId is { } paidSubscription)
                {
                    await SyncAsync(paidSubscription, eventTime, cancellationToken);
                }

                break;
            case EventTypes.InvoicePaymentFailed when stripeEvent.Data.Object is Invoice failed:
                if (failed.Parent?.SubscriptionDetails?.SubscriptionId is { } failedSubscription
                    && await SyncAsync(failedSubscription, eventTime, cancellationToken) is { } userId)
                {
                    await audit.AppendAsync(AuditActions.PaymentFailed, AuditOutcomes.Failure, userId, "stripe", failed.Id, cancellationToken: CancellationToken.None, clinicId: await clinics.OfAsync(userId));
                    telemetry.PaymentFailed();
                    if (await users.FindByIdAsync(userId) is { Email: { } address })
                    {
                        await email.SendAsync(AccountEmails.PaymentFailed(address, baseUrl + "/Account/Manage"), cancellationToken);
                    }
                }

                break;
            default:
                LogIgnored(stripeEvent.Type, stripeEvent.Id);
                break;
        }
    }

    private async Task CheckoutCompletedAsync(Stripe.Checkout.Session session, DateTimeOffset eventTime, CancellationToken cancellationToken)
    {
        var userId = session.ClientReferenceId;
        if (userId is null || session.CustomerId is null || await users.FindByIdAsync(userId) is null)
        {
            LogUnknownCustomer("checkout.session.completed", session.Id);
            return;
        }

        await ledger.LinkCustomerAsync(session.CustomerId, userId, cancellationToken);
        await grains.GetGrain<IUserGrain>(userId).LinkStripeCustomer(session.CustomerId, session.SubscriptionId);
        if (session.SubscriptionId is { } subscriptionId)
        {
            await SyncAsync(subscriptionId, eventTime, cancellationToken);
        }
    }

    /// <summary>Applies the subscription's current state to its account's clinic; returns the account's user id, or null for an unknown customer.</summary>
    private async Task<string?> SyncAsync(string subscriptionId, DateTimeOffset eventTime, CancellationToken cancellationToken)
    {
        var subscription = await stripe.GetSubscriptionAsync(subscriptionId, cancellationToken);
        var userId = subscription.Metadata?.GetValueOrDefault("user_id") is { Length: > 0 } fromMetadata && await users.FindByIdAsync(fromMetadata) is not null
            ? fromMetadata
            : await ledger.UserForCustomerAsync(subscription.CustomerId, cancellationToken);
        if (userId is null)
        {
            LogUnknownCustomer("subscription", subscription.Id);
            return null;
        }

        var item = subscription.Items?.Data?.FirstOrDefault();
        var status = MapStatus(subscription.Status);
        var tier = status == SubscriptionStatus.Canceled ? SubscriptionTier.Free : options.Value.TierForPrice(item?.Price?.Id) ?? SubscriptionTier.Free;
        var update = new SubscriptionUpdate(
            tier,
            status,
            subscription.CustomerId,
            subscription.Id,
            item is null ? null : new DateTimeOffset(DateTime.SpecifyKind(item.CurrentPeriodStart, DateTimeKind.Utc)),
            item is null ? null : new DateTimeOffset(DateTime.SpecifyKind(item.CurrentPeriodEnd, DateTimeKind.Utc)),
            eventTime);
        // The plan is the clinic's: the account that bought it names the clinic it belongs to now (an account from
        // before clinics is given its clinic of one here), and the clinic applies it to every member.
        var clinicId = await grains.GetGrain<IUserGrain>(userId).Clinic((await users.FindByIdAsync(userId))?.Email ?? "");
        if (await grains.GetGrain<IClinicGrain>(clinicId).ApplySubscription(update, (int)(item?.Quantity ?? 1), item?.Id))
        {
            await audit.AppendAsync(AuditActions.SubscriptionChanged, AuditOutcomes.Success, userId, "stripe", subscription.Id, new { tier = tier.ToString(), status = status.ToString() }, clinicId, CancellationToken.None);
            if (status == SubscriptionStatus.Active && tier != SubscriptionTier.Free)
            {
                telemetry.SubscriptionActivated(tier);
            }
        }

        return userId;
    }

    public static SubscriptionStatus MapStatus(string? status) => status switch
    {
        "active" => SubscriptionStatus.Active,
        "trialing" => SubscriptionStatus.Trialing,
        "past_due" or "unpaid" => SubscriptionStatus.PastDue,
        "canceled" or "incomplete_expired" => SubscriptionStatus.Canceled,
        _ => SubscriptionStatus.None,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored Stripe event type {Type} ({EventId})")]
    private partial void LogIgnored(string type, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Source} {ObjectId} is for a customer we do not know; nothing changed")]
    private partial void LogUnknownCustomer(string source, string objectId);
}
