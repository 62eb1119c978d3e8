using Maneiro.Grains.Interfaces;
using Microsoft.Extensions.Options;
using Stripe;

namespace Maneiro.Web.Billing;

/// <summary>The calls we make to Stripe, through Stripe.net.</summary>
public sealed class StripeGateway(IOptions<BillingOptions> options)
{
    private readonly Lazy<StripeClient> _client = new(() =>
        new StripeClient(options.Value.SecretKey ?? throw new InvalidOperationException("STRIPE_SECRET_KEY is not set."), apiBase: options.Value.ApiBase));

    public async Task<string> CreateCheckoutAsync(string userId, string email, string? customerId, SubscriptionTier tier, string successUrl, string cancelUrl, CancellationToken cancellationToken)
    {
        var price = options.Value.Prices.GetValueOrDefault(tier) ?? throw new InvalidOperationException($"No Stripe price is configured for {tier}.");
        var create = new Stripe.Checkout.SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new Stripe.Checkout.SessionLineItemOptions { Price = price, Quantity = 1 }],
            ClientReferenceId = userId,
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Metadata = new Dictionary<string, string> { ["user_id"] = userId },
            SubscriptionData = new Stripe.Checkout.SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string> { ["user_id"] = userId } },
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

    /// <summary>The subscription as Stripe has it now: webhooks arrive unordered, so we apply the live state.</summary>
    public Task<Subscription> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        new SubscriptionService(_client.Value).GetAsync(subscriptionId, cancellationToken: cancellationToken);
}
