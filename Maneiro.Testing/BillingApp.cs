namespace Maneiro.Testing;

public class BillingApp : AccountsApp
{
    public FakeStripe Stripe { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["STRIPE_SECRET_KEY"] = "sk_test_123",
        ["STRIPE_WEBHOOK_SECRET"] = FakeStripe.WebhookSecret,
        ["Stripe:ApiBase"] = Stripe.ApiBase.ToString().TrimEnd('/'),
        ["Stripe:Prices:Basic"] = "price_basic",
        ["Stripe:Prices:Professional"] = "price_professional",
        ["Stripe:Prices:Enterprise"] = "price_enterprise",
        ["Security:FormRedirectOrigins:0"] = "https://checkout.stripe.test",
        ["Security:FormRedirectOrigins:1"] = "https://billing.stripe.test",
    };

    protected override async Task BeforeStartAsync() => Stripe = await FakeStripe.StartAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}
