using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Configuration;

namespace Maneiro.Web.Billing;

public static class BillingExtensions
{
    public static IServiceCollection AddManeiroBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BillingOptions>()
            .Bind(configuration.GetSection(BillingOptions.SectionName))
            .PostConfigure(o =>
            {
                o.SecretKey ??= configuration[SecretSettings.StripeSecretKey];
                o.PublishableKey ??= configuration[SecretSettings.StripePublishableKey];
                o.WebhookSecret ??= configuration[SecretSettings.StripeWebhookSecret];
            });
        services.AddSingleton<StripeGateway>();
        services.AddSingleton<SeatBilling>();
        services.AddSingleton<StripeEventLedger>();
        services.AddScoped<StripeEventProcessor>();
        services.AddScoped<BillingBanner>();
        return services;
    }
}

/// <summary>The past-due banner shown on every page while a payment is outstanding.</summary>
public sealed class BillingBanner(IGrainFactory grains)
{
    public async Task<string?> MessageAsync(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
        {
            return null;
        }

        var snapshot = await grains.GetGrain<IUserGrain>(userId).GetSnapshot();
        if (snapshot.Status != SubscriptionStatus.PastDue)
        {
            return null;
        }

        return snapshot.GraceEndsAt is { } end && end > DateTimeOffset.UtcNow
            ? $"Your last payment failed. Update your card before {end:MMMM d} to keep your {snapshot.Tier} plan."
            : "Your last payment failed, so your account is on Free limits. Update your card to restore your plan.";
    }
}
