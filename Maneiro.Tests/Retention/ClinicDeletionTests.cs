using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Retention;

/// <summary>The jobs app with a Stripe fake and room for a clinic's sign-ups.</summary>
public sealed class DeletionApp() : JobsApp(b => b.WithFakeStripe()
    .With("Security:RateLimits:RegisterPerIpPerHour", "500")
    .With("Security:RateLimits:LoginPerIpPerMinute", "500"));

/// <summary>
/// Deleting a clinic over HTTP: only an admin who types its name can; the plan is canceled in Stripe, no member has a
/// role from that moment, the data goes through the sweeper, every member ends in a new empty clinic on the free tier,
/// and another clinic is untouched.
/// </summary>
public sealed class ClinicDeletionTests(DeletionApp app) : IClassFixture<DeletionApp>
{
    [Fact]
    public async Task An_admin_deletes_the_clinic_after_typing_its_name_and_everything_of_it_goes_but_another_clinic_s_data()
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerTriage(_ => InboxFlows.TriageAnswer());
        var (admin, adminEmail) = await app.SignedInUserAsync("delete-admin");
        var clinicId = await app.UserIdAsync(adminEmail);
        await admin.FollowAsync(await admin.SubmitAsync("/Clinic", new Dictionary<string, string> { ["name"] = "Clínica Norte" }, handler: "Rename"));
        var (clinician, _, clinicianId) = await ClinicFlows.AddMemberAsync(app, admin, "delete-doctor", ClinicRoles.Clinician);
        var (staff, _, staffId) = await ClinicFlows.AddMemberAsync(app, admin, "delete-staff", ClinicRoles.Staff);
        var (other, _) = await app.SignedInUserAsync("delete-other");

        var pdf = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote);
        var mine = await JobsApp.JobIdOf(await JobsApp.UploadAsync(admin, pdf));
        var theirs = await JobsApp.JobIdOf(await JobsApp.UploadAsync(clinician, pdf));
        var item = await InboxFlows.AddAsync(staff, pdf, "fax.pdf");
        var others = await JobsApp.JobIdOf(await JobsApp.UploadAsync(other, pdf));
        foreach (var (session, id) in new[] { (admin, mine), (clinician, theirs), (other, others) })
        {
            await JobsApp.WaitForFinishAsync(session, id);
        }

        await InboxFlows.WaitForTriageAsync(staff, item);

        // The clinic pays for a plan.
        var subscription = "sub_del" + clinicId[..6];
        app.Stripe.Subscriptions[subscription] = FakeStripe.Subscription(subscription, "cus_del", clinicId, "active", "price_basic", DateTimeOffset.UtcNow.AddDays(-3));
        await app.Grains.GetGrain<IClinicGrain>(clinicId).ApplySubscription(new SubscriptionUpdate(SubscriptionTier.Basic, SubscriptionStatus.Active, "cus_del", subscription, DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(27), DateTimeOffset.UtcNow), 2, "si_" + subscription);
        Assert.Equal(SubscriptionTier.Basic, (await app.UserGrain(clinicianId).GetSnapshot()).Tier);

        // An export made before the deletion.
        using (var export = await admin.SubmitAsync("/Clinic/Export", new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        var exportId = Assert.Single(await app.Grains.GetGrain<IJobIndexGrain>(IndexKeys.ExportsOf(clinicId)).Page(0, 10));
        await Eventually.ReturnsAsync(() => app.Grains.GetGrain<IClinicExportGrain>(exportId).View(), v => v!.Status == ExportStatus.Complete, "the export finished");

        // Staff cannot; the wrong name changes nothing.
        var (staffStatus, staffPage, _) = await staff.GetAsync("/Clinic/Delete");
        Assert.False(staffStatus == HttpStatusCode.OK && staffPage.Contains("Delete the clinic and all its data", StringComparison.Ordinal));
        using (var wrong = await admin.SubmitAsync("/Clinic/Delete", new Dictionary<string, string> { ["TypedName"] = "Clinica Sul" }))
        {
            Assert.Contains("Type \u201CClínica Norte\u201D exactly to confirm.", System.Net.WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        Assert.Null(await app.Grains.GetGrain<IClinicGrain>(clinicId).DeletedAt());
        Assert.Empty(app.Stripe.CanceledSubscriptions);

        var deleted = await admin.SubmitAsync("/Clinic/Delete", new Dictionary<string, string> { ["TypedName"] = " clínica norte " });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal([subscription], app.Stripe.CanceledSubscriptions);

        // No member reaches the clinic's inbox item from now on (at most a note that it was deleted with the clinic).
        var (itemStatus, _, itemLocation) = await staff.GetAsync($"/Inbox/{item}");
        Assert.True(itemStatus == HttpStatusCode.NotFound || itemLocation?.OriginalString == $"/Deleted/{item}", itemStatus.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await clinician.GetAsync($"/api/inbox/{item}")).Status);

        // The data goes through the sweeper; then every member is in a new, empty clinic, on the free tier.
        var purge = (await Eventually.ReturnsAsync(() => app.Grains.GetGrain<IRetentionGrain>(clinicId).Status(), s => s.Last is { Purge: true }, "the clinic's data was purged")).Last!;
        Assert.Equal((2, 1), (purge.Analyses, purge.IntakeItems));
        foreach (var id in new[] { mine, theirs })
        {
            Assert.Null(await app.Grains.GetGrain<IAnalysisGrain>(id).GetProgress());
        }

        Assert.Null(await app.Grains.GetGrain<IIntakeItemGrain>(item).View());
        Assert.Null(await app.Grains.GetGrain<IClinicExportGrain>(exportId).View());
        Assert.False(await app.Factory.Services.GetRequiredService<Maneiro.Grains.Services.IBlobStore>().ExistsAsync($"exports/{exportId}/archive", CancellationToken.None));
        foreach (var memberId in new[] { clinicId, clinicianId, staffId })
        {
            // The purge's report is saved before the clinic finishes its deletion: it moves each member out, then puts
            // them on the free tier.
            await Eventually.TrueAsync(
                async () => await app.UserGrain(memberId).CurrentClinicId() != clinicId && (await app.UserGrain(memberId).GetSnapshot()).Tier == SubscriptionTier.Free,
                $"member {memberId} left the deleted clinic for the free tier");
        }

        var (_, home, _) = await admin.GetAsync("/");
        Assert.DoesNotContain(mine, home, StringComparison.Ordinal);
        var (_, newClinic, _) = await clinician.GetAsync("/Clinic");
        Assert.Contains("It is a clinic of one", newClinic, StringComparison.Ordinal);
        Assert.Null(await app.Grains.GetGrain<IClinicGrain>(clinicId).Read());

        // Another clinic: untouched.
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/Jobs/{others}")).Status);

        var audit = app.Factory.Services.GetRequiredService<AuditLog>();
        Assert.Single(await audit.QueryAsync(new AuditQuery(clinicId, null, AuditActions.ClinicDeleted, null, null, 10)));
        Assert.Single(await audit.QueryAsync(new AuditQuery(clinicId, null, AuditActions.RetentionSwept, null, null, 10)));
        staff.Dispose();
        clinician.Dispose();
    }
}
