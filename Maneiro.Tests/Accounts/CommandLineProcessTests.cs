using Maneiro.Testing;

namespace Maneiro.Tests.Accounts;

/// <summary>The operator commands, run as the real binary the way the README tells a newcomer to.</summary>
public sealed class CommandLineProcessTests
{
    [Fact]
    public async Task Create_admin_then_verify_audit_from_the_command_line()
    {
        var database = new TestDatabase();
        var clusterId = "cli-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["DATABASE_URL"] = database.Url,
                ["REDIS_URL"] = TestServers.RedisUrl,
                ["SECRET_KEY"] = TestServers.SecretKey,
                ["Orleans__ClusterId"] = clusterId,
                ["Orleans__ServiceId"] = database.ServiceId,
            };
            var email = AccountsApp.NewEmail("first-admin");

            // Fresh server, no database yet: the command creates and migrates it.
            await using var create = ManeiroProcess.Start("Maneiro.Web", environment, ["create-admin", "--email", email, "--password", AccountsApp.GoodPassword], "Admin ready");
            Assert.Equal(0, await create.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains($"Admin ready: {email} (Enterprise, Active).", create.Output, StringComparison.Ordinal);
            Assert.Equal(1, await database.ScalarAsync<long>($"SELECT count(*) FROM \"AspNetUsers\" u JOIN \"AspNetUserRoles\" ur ON ur.\"UserId\" = u.\"Id\" WHERE u.\"Email\" = '{email}' AND u.\"EmailConfirmed\""));

            await using var verify = ManeiroProcess.Start("Maneiro.Web", environment, ["verify-audit"], "Audit trail");
            Assert.Equal(0, await verify.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Audit trail intact: 1 rows checked.", verify.Output, StringComparison.Ordinal);

            await using var bad = ManeiroProcess.Start("Maneiro.Web", environment, ["create-admin", "--email", email], "Usage");
            Assert.Equal(2, await bad.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
