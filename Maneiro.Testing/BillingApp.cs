namespace Maneiro.Testing;

/// <summary>The web app with the fake Stripe API.</summary>
public class BillingApp : ManeiroApp
{
    public BillingApp()
        : base(b => b.WithFakeStripe())
    {
    }
}
