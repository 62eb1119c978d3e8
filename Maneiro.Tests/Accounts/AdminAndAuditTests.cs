using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Testing;
using Maneiro.Web.Data;
using Maneiro.Web.Extensions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Maneiro.Tests.Accounts;

public sealed class AdminAndAuditTests(AccountsApp app) : IClassFixture<AccountsApp>
{
    [Fact]
    public async Task Create_admin_makes_a_confirmed_enterprise_admin_who_can_list_users_and_others_cannot()
    {
        var adminEmail = AccountsApp.NewEmail("admin");
        Assert.Equal(0, await CommandLine.CreateAdminAsync(app.Factory.Services, adminEmail, AccountsApp.GoodPassword, "Ada", "Admin"));
        // Running it again is harmless.
        Assert.Equal(0, await CommandLine.CreateAdminAsync(app.Factory.Services, adminEmail, AccountsApp.GoodPassword, "Ada", "Admin"));

        using var scope = app.Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ManeiroUser>>();
        var admin = (await users.FindByEmailAsync(adminEmail))!;
        Assert.True(admin.EmailConfirmed);
        var snapshot = await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(admin.Id).GetSnapshot();
        Assert.Equal(SubscriptionTier.Enterprise, snapshot.Tier);
        Assert.Equal(SubscriptionStatus.Active, snapshot.Status);

        var (doctor, doctorEmail) = await app.SignedInUserAsync();
        var (deniedStatus, _, deniedLocation) = await doctor.GetAsync("/Admin/Users");
        Assert.Equal(HttpStatusCode.Redirect, deniedStatus);
        Assert.StartsWith("/Account/AccessDenied", deniedLocation!.PathAndQuery, StringComparison.Ordinal);
        doctor.Dispose();

        using var adminSession = app.NewSession();
        Assert.Equal(HttpStatusCode.Redirect, (await AccountsApp.LoginAsync(adminSession, adminEmail)).StatusCode);
        var (status, html, _) = await adminSession.GetAsync("/Admin/Users");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(adminEmail, html, StringComparison.Ordinal);
        Assert.Contains(doctorEmail, html, StringComparison.Ordinal);
        Assert.Contains("Enterprise", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_chain_verifies_and_refuses_updates_and_deletes()
    {
        var (session, _) = await app.SignedInUserAsync();
        session.Dispose();
        var audit = app.Factory.Services.GetRequiredService<AuditLog>();
        var verification = await audit.VerifyAsync();
        Assert.True(verification.Intact, verification.Problem);
        Assert.True(verification.RowsChecked >= 3);

        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("UPDATE audit_log SET outcome = 'success' WHERE id = 1", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        await using var delete = new NpgsqlCommand("DELETE FROM audit_log", connection);
        await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
    }
}

/// <summary>Tampering needs its own database: the chain stays broken afterwards.</summary>
public sealed class AuditTamperTests(AccountsApp app) : IClassFixture<AccountsApp>
{
    [Fact]
    public async Task A_row_modified_behind_the_apps_back_makes_verify_audit_fail_and_name_it()
    {
        var (session, email) = await app.SignedInUserAsync();
        session.Dispose();
        var audit = app.Factory.Services.GetRequiredService<AuditLog>();
        Assert.True((await audit.VerifyAsync()).Intact);

        var victim = await app.Database.ScalarAsync<long>("SELECT id FROM audit_log WHERE action = 'account.login' ORDER BY id LIMIT 1");
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            // Only someone with the table owner's rights can do this, and only by switching the guard off.
            await connection.OpenAsync();
            await using var tamper = new NpgsqlCommand(
                $"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; UPDATE audit_log SET outcome = 'failure' WHERE id = {victim}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;",
                connection);
            await tamper.ExecuteNonQueryAsync();
        }

        var result = await audit.VerifyAsync();
        Assert.False(result.Intact);
        Assert.Equal(victim, result.FirstBadRowId);
        Assert.Contains($"row {victim}", result.Problem, StringComparison.Ordinal);
        Assert.NotNull(email);
    }
}
