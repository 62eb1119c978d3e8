using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Billing;

/// <summary>Per-seat plans: its own app, so the webhook rate limit the forged-webhook tests exhaust is not shared.</summary>
public sealed class SeatBillingTests(BillingApp app) : IClassFixture<BillingApp>
{
    private static readonly DateTimeOffset Period = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_clinic_pays_per_clinician_seat_with_free_staff_seats_and_member_changes_update_the_quantity_with_proration()
    {
        var (admin, adminEmail) = await app.SignedInUserAsync("seat-admin");
        var adminId = await app.UserIdAsync(adminEmail);
        var clinician = await ClinicFlows.AddMemberAsync(app, admin, "seat-doctor", ClinicRoles.Clinician);
        for (var i = 0; i < 3; i++)
        {
            await ClinicFlows.AddMemberAsync(app, admin, "seat-staff", ClinicRoles.Staff);
        }

        // Two clinicians and three staff, two of them free: three seats at checkout. Only the admin may buy.
        var refused = await clinician.Session.SubmitAsync("/Pricing", new Dictionary<string, string> { ["tier"] = "Basic" }, null, "/Billing/Checkout");
        Assert.Contains("Only your clinic&#x27;s admin", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await admin.SubmitAsync("/Pricing", new Dictionary<string, string> { ["tier"] = "Basic" }, null, "/Billing/Checkout");
        var checkout = app.LastStripeForm("/v1/checkout/sessions");
        Assert.Equal("3", checkout["line_items[0][quantity]"]);
        Assert.Equal(adminId, checkout["client_reference_id"]);
        Assert.Equal(adminId, checkout["subscription_data[metadata][clinic_id]"]);

        // Paid: every member is on Basic.
        var (customer, subscription) = ("cus_s" + adminId[..6], "sub_s" + adminId[..6]);
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, customer, adminId, "active", "price_basic", Period, quantity: 3);
        using (var paid = await app.SendStripeEventAsync("checkout.session.completed", FakeStripe.CheckoutSession(adminId, customer, subscription), DateTimeOffset.UtcNow.AddSeconds(-5)))
        {
            Assert.True(paid.StatusCode == HttpStatusCode.OK, await paid.Content.ReadAsStringAsync() + app.LogsAbout("Stripe"));
        }

        Assert.Equal(SubscriptionTier.Basic, (await app.UserGrain(adminId).GetSnapshot()).Tier);
        Assert.Equal(SubscriptionTier.Basic, (await app.UserGrain(clinician.UserId).GetSnapshot()).Tier);
        Assert.Equal(3, (await app.Grains.GetGrain<IClinicGrain>(adminId).Billing())!.Seats);

        // A third clinician joins: four seats, prorated; on the plan at once.
        var third = await ClinicFlows.AddMemberAsync(app, admin, "seat-doctor3", ClinicRoles.Clinician);
        var update = app.LastStripeForm($"/v1/subscriptions/{subscription}");
        Assert.Equal("4", update["items[0][quantity]"]);
        Assert.Equal("si_" + subscription, update["items[0][id]"]);
        Assert.Equal("create_prorations", update["proration_behavior"]);
        Assert.Equal(SubscriptionTier.Basic, (await app.UserGrain(third.UserId).GetSnapshot()).Tier);

        // Stripe's update events arrive out of order: the newer (4 seats) first, then an older one; 4 stands.
        var now = DateTimeOffset.UtcNow;
        await app.SendStripeEventAsync("customer.subscription.updated", app.Stripe.Subscriptions[subscription], now.AddSeconds(10));
        await app.SendStripeEventAsync("customer.subscription.updated", FakeStripe.Subscription(subscription, customer, adminId, "active", "price_basic", Period, quantity: 3), now.AddSeconds(5));
        Assert.Equal(4, (await app.Grains.GetGrain<IClinicGrain>(adminId).Billing())!.Seats);

        // Another subscription's events (a member's former plan of their own) cannot change the clinic's plan.
        var stray = FakeStripe.Subscription("sub_stray" + adminId[..4], customer, adminId, "canceled", "price_basic", Period);
        app.Stripe.Subscriptions["sub_stray" + adminId[..4]] = stray;
        await app.SendStripeEventAsync("customer.subscription.deleted", stray, now.AddSeconds(20));
        Assert.Equal(SubscriptionTier.Basic, (await app.UserGrain(clinician.UserId).GetSnapshot()).EffectiveTier);

        // Removing a clinician gives the seat back and puts them on the free tier.
        await admin.FollowAsync(await admin.SubmitAsync("/Clinic", new Dictionary<string, string> { ["memberId"] = third.UserId }, handler: "Remove"));
        Assert.Equal("3", app.LastStripeForm($"/v1/subscriptions/{subscription}")["items[0][quantity]"]);
        Assert.Equal(SubscriptionTier.Free, (await app.UserGrain(third.UserId).GetSnapshot()).EffectiveTier);
        admin.Dispose();
    }

}
