using Maneiro.Grains.Interfaces;
using Microsoft.Extensions.Options;
using Stripe;

namespace Maneiro.Web.Billing;

/// <summary>The calls we make to Stripe, through Stripe.net.</summary>
public sealed class StripeGateway(IOptions<BillingOptions> options)
{
    private readonly Lazy<StripeClient> _client = new(() =>
        new StripeClient(options.Value.SecretKey ?? throw new InvalidOperationException("STRIPE_SECRET_KEY is not set."), apiBase: options.Value.ApiBase));

    /// <summary>A checkout for <paramref name="seats"/> seats of a plan, by the admin <paramref name="userId"/> of <paramref name="clinicId"/>.</summary>
    public async Task<string> CreateCheckoutAsync(string userId, string clinicId, int seats, string email, string? customerId, SubscriptionTier tier, string successUrl, string cancelUrl, CancellationToken cancellationToken)
    {
        var price = options.Value.Prices.GetValueOrDefault(tier) ?? throw new InvalidOperationException($"No Stripe price is configured for {tier}.");
        var metadata = new Dictionary<string, string> { ["user_id"] = userId, ["clinic_id"] = clinicId };
        var create = new Stripe.Checkout.SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new Stripe.Checkout.SessionLineItemOptions { Price = price, Quantity = seats }],
            ClientReferenceId = userId,
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Metadata = metadata,
            SubscriptionData = new Stripe.Checkout.SessionSubscriptionDataOptions { Metadata = metadata },
        };
        if (customerId is not null)
        {
            create.Customer = customerId;
        }
        else
        {
            create.CustomerEmail = email;
        }

        var session = await new Stripe.Checkout.SessionService(_client.Value).CreateAsync(create, cancellationToken: cancellationToken);
        return session.Url;
    }

    public async Task<string> CreatePortalAsync(string customerId, string returnUrl, CancellationToken cancellationToken)
    {
        var session = await new Stripe.BillingPortal.SessionService(_client.Value).CreateAsync(
            new Stripe.BillingPortal.SessionCreateOptions { Customer = customerId, ReturnUrl = returnUrl },
            cancellationToken: cancellationToken);
        return session.Url;
    }

    /// <summary>Sets the subscription's seats; Stripe prorates the change on the next invoice.</summary>
    public Task<Subscription> UpdateSeatsAsync(string subscriptionId, string itemId, int seats, CancellationToken cancellationToken) =>
        new SubscriptionService(_client.Value).UpdateAsync(
            subscriptionId,
            new SubscriptionUpdateOptions
            {
                Items = [new SubscriptionItemOptions { Id = itemId, Quantity = seats }],
                ProrationBehavior = "create_prorations",
            },
            cancellationToken: cancellationToken);

    /// <summary>Cancels the subscription at once (a deleted clinic stops paying now); its webhook follows.</summary>
    public Task<Subscription> CancelSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        new SubscriptionService(_client.Value).CancelAsync(subscriptionId, cancellationToken: cancellationToken);

    /// <summary>The subscription as Stripe has it now: webhooks arrive unordered, so we apply the live state.</summary>
    public Task<Subscription> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        new SubscriptionService(_client.Value).GetAsync(subscriptionId, cancellationToken: cancellationToken);
}
