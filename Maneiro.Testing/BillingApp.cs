namespace Maneiro.Testing;

/// <summary>The web app with the fake Stripe API.</summary>
public class BillingApp : ManeiroApp
{
    public BillingApp()
        : base(b => b.WithFakeStripe())
    {
    }

    /// <summary>Posts a signed Stripe event to the webhook, as Stripe would.</summary>
    public Task<HttpResponseMessage> SendStripeEventAsync(string type, System.Text.Json.Nodes.JsonObject data, DateTimeOffset created)
    {
        var payload = FakeStripe.Event(type, data, created);
        return PostStripeWebhookAsync(payload, FakeStripe.Sign(payload, DateTimeOffset.UtcNow));
    }

    public async Task<HttpResponseMessage> PostStripeWebhookAsync(string payload, string? signature)
    {
        using var client = Factory.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/stripe-webhook") { Content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>The form of the last request our app sent to the fake Stripe on this path.</summary>
    public System.Collections.Specialized.NameValueCollection LastStripeForm(string path) =>
        System.Web.HttpUtility.ParseQueryString(Stripe.Requests.Last(r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal)).Body);
}
