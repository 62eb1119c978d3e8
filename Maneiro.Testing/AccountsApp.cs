namespace Maneiro.Testing;

/// <summary>The web app with accounts only (no model, no Stripe).</summary>
public class AccountsApp : ManeiroApp
{
}
