using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Maneiro.Testing;

/// <summary>
/// A local server speaking the parts of Stripe's REST API we call (Checkout and Portal sessions, subscription reads),
/// plus helpers that build and sign webhook events the way Stripe does.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string WebhookSecret = "whsec_test_secret";

    private FakeHttpServer _server = null!;

    /// <summary>Subscriptions as "Stripe" holds them now, by id.</summary>
    public ConcurrentDictionary<string, JsonObject> Subscriptions { get; } = new();

    /// <summary>Subscriptions canceled through the API, in order.</summary>
    public ConcurrentQueue<string> CanceledSubscriptions { get; } = new();

    public ConcurrentQueue<RecordedRequest> Requests => _server.Requests;

    public Uri ApiBase => _server.BaseAddress;

    public static async Task<FakeStripe> StartAsync()
    {
        var fake = new FakeStripe();
        fake._server = await FakeHttpServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    public static JsonObject Subscription(string id, string customer, string userId, string status, string priceId, DateTimeOffset periodStart, int quantity = 1) => new()
    {
        ["id"] = id,
        ["object"] = "subscription",
        ["customer"] = customer,
        ["status"] = status,
        ["created"] = periodStart.ToUnixTimeSeconds(),
        ["metadata"] = new JsonObject { ["user_id"] = userId },
        ["items"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "si_" + id,
                ["object"] = "subscription_item",
                ["quantity"] = quantity,
                ["current_period_start"] = periodStart.ToUnixTimeSeconds(),
                ["current_period_end"] = periodStart.AddMonths(1).ToUnixTimeSeconds(),
                ["price"] = new JsonObject { ["id"] = priceId, ["object"] = "price", ["currency"] = "usd" },
            }),
        },
    };

    public static JsonObject CheckoutSession(string userId, string customer, string subscription) => new()
    {
        ["id"] = "cs_test_" + Guid.NewGuid().ToString("N")[..10],
        ["object"] = "checkout.session",
        ["client_reference_id"] = userId,
        ["customer"] = customer,
        ["subscription"] = subscription,
        ["mode"] = "subscription",
        ["status"] = "complete",
        ["payment_status"] = "paid",
    };

    public static JsonObject Invoice(string subscription, string customer, string billingReason) => new()
    {
        ["id"] = "in_" + Guid.NewGuid().ToString("N")[..10],
        ["object"] = "invoice",
        ["customer"] = customer,
        ["billing_reason"] = billingReason,
        ["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["subscription_details"] = new JsonObject { ["subscription"] = subscription, ["metadata"] = new JsonObject() },
        },
    };

    /// <summary>A webhook event as Stripe sends it, for the API version Stripe.net expects.</summary>
    public static string Event(string type, JsonObject dataObject, DateTimeOffset created, string? id = null) => new JsonObject
    {
        ["id"] = id ?? "evt_" + Guid.NewGuid().ToString("N")[..14],
        ["object"] = "event",
        ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
        ["created"] = created.ToUnixTimeSeconds(),
        ["type"] = type,
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["data"] = new JsonObject { ["object"] = JsonNode.Parse(dataObject.ToJsonString()) },
    }.ToJsonString();

    /// <summary>The Stripe-Signature header: t=timestamp,v1=HMAC-SHA256(secret, "t.payload").</summary>
    public static string Sign(string payload, DateTimeOffset at, string secret = WebhookSecret)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    private async Task HandleAsync(RecordedRequest request, HttpResponse response)
    {
        response.ContentType = "application/json";
        if (request.Method == "POST" && request.PathAndQuery.StartsWith("/v1/checkout/sessions", StringComparison.Ordinal))
        {
            await response.WriteAsync(new JsonObject { ["id"] = "cs_test_created", ["object"] = "checkout.session", ["url"] = "https://checkout.stripe.test/c/pay/cs_test_created", ["mode"] = "subscription" }.ToJsonString());
            return;
        }

        if (request.Method == "POST" && request.PathAndQuery.StartsWith("/v1/billing_portal/sessions", StringComparison.Ordinal))
        {
            await response.WriteAsync(new JsonObject { ["id"] = "bps_test", ["object"] = "billing_portal.session", ["url"] = "https://billing.stripe.test/p/session/bps_test" }.ToJsonString());
            return;
        }

        // A seat change: the line item's quantity, as Stripe.net sends it (form-encoded items[0][id] and items[0][quantity]).
        if (request.Method == "POST" && request.PathAndQuery.StartsWith("/v1/subscriptions/", StringComparison.Ordinal))
        {
            var id = request.PathAndQuery["/v1/subscriptions/".Length..].Split('?')[0];
            var form = System.Web.HttpUtility.ParseQueryString(request.Body);
            if (Subscriptions.TryGetValue(id, out var updated) && updated["items"]!["data"]![0] is JsonObject line && line["id"]!.GetValue<string>() == form["items[0][id]"])
            {
                line["quantity"] = int.Parse(form["items[0][quantity]"]!, CultureInfo.InvariantCulture);
                await response.WriteAsync(updated.ToJsonString());
                return;
            }

            response.StatusCode = 404;
            await response.WriteAsync("""{"error":{"type":"invalid_request_error","message":"No such subscription item"}}""");
            return;
        }

        // A cancellation: Stripe answers with the subscription, now canceled.
        if (request.Method == "DELETE" && request.PathAndQuery.StartsWith("/v1/subscriptions/", StringComparison.Ordinal))
        {
            var id = request.PathAndQuery["/v1/subscriptions/".Length..].Split('?')[0];
            if (Subscriptions.TryGetValue(id, out var canceled))
            {
                canceled["status"] = "canceled";
                CanceledSubscriptions.Enqueue(id);
                await response.WriteAsync(canceled.ToJsonString());
                return;
            }

            response.StatusCode = 404;
            await response.WriteAsync("""{"error":{"type":"invalid_request_error","message":"No such subscription"}}""");
            return;
        }

        if (request.Method == "GET" && request.PathAndQuery.StartsWith("/v1/subscriptions/", StringComparison.Ordinal))
        {
            var id = request.PathAndQuery["/v1/subscriptions/".Length..].Split('?')[0];
            if (Subscriptions.TryGetValue(id, out var subscription))
            {
                await response.WriteAsync(subscription.ToJsonString());
                return;
            }

            response.StatusCode = 404;
            await response.WriteAsync("""{"error":{"type":"invalid_request_error","message":"No such subscription"}}""");
            return;
        }

        response.StatusCode = 404;
        await response.WriteAsync("""{"error":{"type":"invalid_request_error","message":"Unknown path"}}""");
    }
}
