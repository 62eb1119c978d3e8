using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Billing;

public sealed class BillingTests(BillingApp app) : IClassFixture<BillingApp>
{
    private static readonly DateTimeOffset Period = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Upgrade_creates_a_checkout_session_with_the_configured_price_and_our_user_id_then_reuses_the_customer()
    {
        var (session, email) = await app.SignedInUserAsync();
        var userId = await UserId(email);
        var (_, pricing, _) = await session.GetAsync("/Pricing");
        Assert.Contains("Upgrade to Professional", pricing, StringComparison.Ordinal);

        var response = await session.SubmitAsync("/Pricing", new Dictionary<string, string> { ["tier"] = "Professional" }, null, "/Billing/Checkout");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("checkout.stripe.test", response.Headers.Location!.Host);

        var form = LastForm("/v1/checkout/sessions");
        Assert.Equal("price_professional", form["line_items[0][price]"]);
        Assert.Equal("1", form["line_items[0][quantity]"]);
        Assert.Equal("subscription", form["mode"]);
        Assert.Equal(userId, form["client_reference_id"]);
        Assert.Equal(userId, form["subscription_data[metadata][user_id]"]);
        Assert.Equal(email, form["customer_email"]);
        Assert.Equal("Bearer sk_test_123", app.Stripe.Requests.Last().Header("Authorization"));

        // After checkout completes, the customer is linked: the next checkout and the portal use it.
        await CompleteCheckoutAsync(userId, "cus_" + userId[..8], "sub_" + userId[..8], "price_professional");
        await session.SubmitAsync("/Pricing", new Dictionary<string, string> { ["tier"] = "Enterprise" }, null, "/Billing/Checkout");
        Assert.Equal("cus_" + userId[..8], LastForm("/v1/checkout/sessions")["customer"]);

        var portal = await session.SubmitAsync("/Account/Manage", new Dictionary<string, string>(), null, "/Billing/Portal");
        Assert.Equal("billing.stripe.test", portal.Headers.Location!.Host);
        Assert.Equal("cus_" + userId[..8], LastForm("/v1/billing_portal/sessions")["customer"]);
        session.Dispose();
    }

    [Fact]
    public async Task Checkout_completed_links_the_customer_and_the_subscription_sets_the_tier()
    {
        var userId = await NewUserAsync();
        await CompleteCheckoutAsync(userId, "cus_a" + userId[..6], "sub_a" + userId[..6], "price_basic");
        var snapshot = await Grain(userId).GetSnapshot();
        Assert.Equal(SubscriptionTier.Basic, snapshot.Tier);
        Assert.Equal(SubscriptionStatus.Active, snapshot.Status);
        Assert.Equal("cus_a" + userId[..6], snapshot.StripeCustomerId);
        Assert.Equal(100, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Limit);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE user_id = '{userId}' AND action = 'billing.subscription_changed'"));
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("wrong-secret")]
    [InlineData("stale")]
    [InlineData("unsigned")]
    public async Task Unverifiable_webhooks_are_refused_with_400_change_nothing_and_are_audited(string how)
    {
        var userId = await NewUserAsync();
        var subscription = "sub_x" + userId[..6];
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, "cus_x" + userId[..6], userId, "active", "price_enterprise", Period);
        var payload = FakeStripe.Event("customer.subscription.created", app.Stripe.Subscriptions[subscription], DateTimeOffset.UtcNow);
        var (body, signature) = how switch
        {
            "tampered" => (payload.Replace("price_enterprise", "price_basic", StringComparison.Ordinal), FakeStripe.Sign(payload, DateTimeOffset.UtcNow)),
            "wrong-secret" => (payload, FakeStripe.Sign(payload, DateTimeOffset.UtcNow, "whsec_someone_else")),
            "stale" => (payload, FakeStripe.Sign(payload, DateTimeOffset.UtcNow.AddMinutes(-10))),
            _ => (payload, (string?)null),
        };
        var rejectedBefore = await RejectedWebhooksAsync();

        using var response = await PostWebhookAsync(body, signature);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(SubscriptionTier.Free, (await Grain(userId).GetSnapshot()).Tier);
        await Eventually.TrueAsync(async () => await RejectedWebhooksAsync() > rejectedBefore, "the rejection was counted in a summary row");
    }

    [Fact]
    public async Task Forged_webhooks_in_a_flood_are_audited_as_one_summary_then_rate_limited_and_bodies_are_capped_by_bytes_read()
    {
        var rowsBefore = await app.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'billing.webhook_rejected'");
        var countedBefore = await RejectedWebhooksAsync();
        const int forged = 40;
        for (var i = 0; i < forged; i++)
        {
            using var rejected = await PostWebhookAsync("{}", "t=1,v1=forged");
            Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        }

        // Every refusal counted, in a row per source and window: not forty rows (a window may close mid-flood).
        await Eventually.TrueAsync(async () => await RejectedWebhooksAsync() >= countedBefore + forged, "the flood was counted");
        Assert.InRange(await app.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'billing.webhook_rejected'") - rowsBefore, 1, 3);

        // A chunked body (no length declared) over the cap is refused by what was read.
        using (var client = app.Factory.CreateHttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/stripe-webhook") { Content = new StreamContent(new MemoryStream(new byte[600 * 1024])) })
        {
            request.Headers.TransferEncodingChunked = true;
            using var tooLarge = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        }

        // The source is then limited per minute (fixed windows: a boundary restarts the count once).
        var limited = false;
        for (var i = 0; i < 2 * new Maneiro.Web.Security.RateLimitOptions().WebhookPerIpPerMinute && !limited; i++)
        {
            using var response = await PostWebhookAsync("{}", "t=1,v1=forged");
            limited = response.StatusCode == HttpStatusCode.TooManyRequests;
        }

        Assert.True(limited);
    }

    private Task<long> RejectedWebhooksAsync() =>
        app.Database.ScalarAsync<long>("SELECT coalesce(sum((details->>'refusals')::bigint), 0)::bigint FROM audit_log WHERE action = 'billing.webhook_rejected'");

    [Fact]
    public async Task The_same_event_delivered_ten_times_is_applied_once()
    {
        var userId = await NewUserAsync();
        var subscription = "sub_d" + userId[..6];
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, "cus_d" + userId[..6], userId, "active", "price_professional", Period);
        var payload = FakeStripe.Event("customer.subscription.created", app.Stripe.Subscriptions[subscription], DateTimeOffset.UtcNow);
        var signature = FakeStripe.Sign(payload, DateTimeOffset.UtcNow);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostWebhookAsync(payload, signature)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(SubscriptionTier.Professional, (await Grain(userId).GetSnapshot()).Tier);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE user_id = '{userId}' AND action = 'billing.subscription_changed'"));
        Assert.Equal(9, (await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()))).Count(b => b.Contains("duplicate", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Updated_arriving_before_created_ends_in_the_newest_state()
    {
        var userId = await NewUserAsync();
        var subscription = "sub_o" + userId[..6];
        var created = FakeStripe.Subscription(subscription, "cus_o" + userId[..6], userId, "incomplete", "price_basic", Period);
        var updated = FakeStripe.Subscription(subscription, "cus_o" + userId[..6], userId, "active", "price_professional", Period);
        app.Stripe.Subscriptions[subscription] = updated;

        await SendAsync("customer.subscription.updated", updated, DateTimeOffset.UtcNow);
        await SendAsync("customer.subscription.created", created, DateTimeOffset.UtcNow.AddSeconds(-30));

        var snapshot = await Grain(userId).GetSnapshot();
        Assert.Equal(SubscriptionTier.Professional, snapshot.Tier);
        Assert.Equal(SubscriptionStatus.Active, snapshot.Status);
    }

    [Fact]
    public async Task Events_for_two_users_interleaved_each_land_on_their_own_user()
    {
        var first = await NewUserAsync();
        var second = await NewUserAsync();
        var subscriptionA = "sub_i" + first[..6];
        var subscriptionB = "sub_j" + second[..6];
        app.Stripe.Subscriptions[subscriptionA] = FakeStripe.Subscription(subscriptionA, "cus_i" + first[..6], first, "active", "price_basic", Period);
        app.Stripe.Subscriptions[subscriptionB] = FakeStripe.Subscription(subscriptionB, "cus_j" + second[..6], second, "active", "price_enterprise", Period);

        var now = DateTimeOffset.UtcNow;
        await Task.WhenAll(
            SendAsync("customer.subscription.created", app.Stripe.Subscriptions[subscriptionA], now),
            SendAsync("customer.subscription.created", app.Stripe.Subscriptions[subscriptionB], now),
            SendAsync("customer.subscription.updated", app.Stripe.Subscriptions[subscriptionB], now.AddSeconds(1)),
            SendAsync("customer.subscription.updated", app.Stripe.Subscriptions[subscriptionA], now.AddSeconds(1)));

        Assert.Equal(SubscriptionTier.Basic, (await Grain(first).GetSnapshot()).Tier);
        Assert.Equal(SubscriptionTier.Enterprise, (await Grain(second).GetSnapshot()).Tier);
    }

    [Fact]
    public async Task A_failed_payment_marks_past_due_shows_a_banner_sends_mail_then_payment_restores_and_renewal_resets_usage()
    {
        var (session, email) = await app.SignedInUserAsync();
        var userId = await UserId(email);
        var subscription = "sub_p" + userId[..6];
        var customer = "cus_p" + userId[..6];
        await CompleteCheckoutAsync(userId, customer, subscription, "price_basic");
        await Grain(userId).TryReserve(UsageKind.Analyses, "used-job", 1);
        await Grain(userId).Commit("used-job");

        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, customer, userId, "past_due", "price_basic", Period);
        await SendAsync("invoice.payment_failed", FakeStripe.Invoice(subscription, customer, "subscription_cycle"), DateTimeOffset.UtcNow);

        var snapshot = await Grain(userId).GetSnapshot();
        Assert.Equal(SubscriptionStatus.PastDue, snapshot.Status);
        Assert.Equal(SubscriptionTier.Basic, snapshot.EffectiveTier);
        Assert.NotNull(snapshot.GraceEndsAt);
        var (_, page, _) = await session.GetAsync("/Account/Manage");
        Assert.Contains("Your last payment failed", page, StringComparison.Ordinal);
        Assert.Contains("/Account/Manage", MailPickup.LinkPath(await app.Mail.WaitForAsync(email, "payment failed")), StringComparison.Ordinal);

        // Paid for the next period: active again, and the new period's usage starts at zero.
        var next = Period.AddMonths(1);
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, customer, userId, "active", "price_basic", next);
        await SendAsync("invoice.payment_succeeded", FakeStripe.Invoice(subscription, customer, "subscription_cycle"), DateTimeOffset.UtcNow.AddSeconds(1));
        snapshot = await Grain(userId).GetSnapshot();
        Assert.Equal(SubscriptionStatus.Active, snapshot.Status);
        Assert.Equal(next, snapshot.PeriodStart);
        Assert.Equal(0, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        Assert.DoesNotContain("Your last payment failed", (await session.GetAsync("/Account/Manage")).Html, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task A_deleted_subscription_falls_back_to_free()
    {
        var userId = await NewUserAsync();
        var subscription = "sub_z" + userId[..6];
        await CompleteCheckoutAsync(userId, "cus_z" + userId[..6], subscription, "price_enterprise");
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, "cus_z" + userId[..6], userId, "canceled", "price_enterprise", Period);
        await SendAsync("customer.subscription.deleted", app.Stripe.Subscriptions[subscription], DateTimeOffset.UtcNow.AddSeconds(2));

        var snapshot = await Grain(userId).GetSnapshot();
        Assert.Equal(SubscriptionStatus.Canceled, snapshot.Status);
        Assert.Equal(SubscriptionTier.Free, snapshot.EffectiveTier);
        Assert.Equal(10, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Limit);
    }

    [Fact]
    public async Task Unknown_event_types_and_unknown_customers_are_acknowledged_and_change_nothing()
    {
        using var unknownType = await SendAsync("customer.tax_id.created", new System.Text.Json.Nodes.JsonObject { ["id"] = "txi_1", ["object"] = "tax_id" }, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, unknownType.StatusCode);

        var subscription = "sub_unknown_" + Guid.NewGuid().ToString("N")[..6];
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, "cus_nobody", "no-such-user", "active", "price_basic", Period);
        var usersBefore = await app.Database.ScalarAsync<long>("SELECT count(*) FROM \"AspNetUsers\"");
        using var unknownCustomer = await SendAsync("customer.subscription.created", app.Stripe.Subscriptions[subscription], DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, unknownCustomer.StatusCode);
        Assert.Equal(usersBefore, await app.Database.ScalarAsync<long>("SELECT count(*) FROM \"AspNetUsers\""));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM stripe_customers WHERE customer_id = 'cus_nobody'"));
    }

    private async Task CompleteCheckoutAsync(string userId, string customer, string subscription, string price)
    {
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, customer, userId, "active", price, Period);
        using var response = await SendAsync("checkout.session.completed", FakeStripe.CheckoutSession(userId, customer, subscription), DateTimeOffset.UtcNow.AddSeconds(-5));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(string type, System.Text.Json.Nodes.JsonObject data, DateTimeOffset created) => app.SendStripeEventAsync(type, data, created);

    private Task<HttpResponseMessage> PostWebhookAsync(string payload, string? signature) => app.PostStripeWebhookAsync(payload, signature);

    private System.Collections.Specialized.NameValueCollection LastForm(string path) => app.LastStripeForm(path);

    private async Task<string> NewUserAsync()
    {
        var (session, email) = await app.SignedInUserAsync();
        session.Dispose();
        return await UserId(email);
    }

    private Task<string> UserId(string email) => app.UserIdAsync(email);

    private IUserGrain Grain(string userId) => app.UserGrain(userId);
}
