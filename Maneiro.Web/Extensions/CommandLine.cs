using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Infrastructure.Hosting;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;

namespace Maneiro.Web.Extensions;

public static class CommandLine
{
    public const string Migrate = "migrate";
    public const string CreateAdmin = "create-admin";
    public const string VerifyAudit = "verify-audit";

    /// <summary>A command comes first on the command line; anything else means serve.</summary>
    public static string? Command(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal) ? args[0] : null;

    /// <summary>Runs the command named on the command line; with none, serves (migrating first, see <see cref="MigrationHostExtensions"/>).</summary>
    public static async Task<int> RunManeiroAsync(this WebApplication app, string[] args)
    {
        switch (Command(args))
        {
            case null:
                await app.RunAsync();
                return 0;
            case Migrate:
                await app.Services.MigrateDatabaseAsync();
                return 0;
            case CreateAdmin:
                await app.Services.MigrateDatabaseAsync();
                await app.StartAsync();
                try
                {
                    return await CreateAdminAsync(app.Services, Option(args, "--email"), Option(args, "--password"), Option(args, "--first") ?? "Admin", Option(args, "--last") ?? "User");
                }
                finally
                {
                    await app.StopAsync();
                }

            case VerifyAudit:
                var result = await app.Services.GetRequiredService<AuditLog>().VerifyAsync();
                Console.WriteLine(result.Intact
                    ? $"Audit trail intact: {result.RowsChecked} rows checked."
                    : $"Audit trail BROKEN at row {result.FirstBadRowId}: {result.Problem}.");
                return result.Intact ? 0 : 1;
            case var unknown:
                await Console.Error.WriteLineAsync($"Unknown command '{unknown}'. Commands: {Migrate}, {CreateAdmin} --email E --password P [--first F --last L], {VerifyAudit}.");
                return 2;
        }
    }

    /// <summary>Creates (or promotes) a confirmed admin with an Enterprise / Active subscription.</summary>
    public static async Task<int> CreateAdminAsync(IServiceProvider services, string? email, string? password, string firstName, string lastName)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            await Console.Error.WriteLineAsync("Usage: create-admin --email admin@example.org --password '<12+ characters>' [--first Ada --last Lovelace]");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ManeiroUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(AccountsExtensions.AdminRole))
        {
            await roles.CreateAsync(new IdentityRole(AccountsExtensions.AdminRole));
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new ManeiroUser { UserName = email, Email = email, EmailConfirmed = true, FirstName = firstName, LastName = lastName, CreatedAt = DateTimeOffset.UtcNow };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                await Console.Error.WriteLineAsync("Could not create the admin: " + string.Join(" ", created.Errors.Select(e => e.Description)));
                return 1;
            }
        }

        if (!await users.IsInRoleAsync(user, AccountsExtensions.AdminRole))
        {
            await users.AddToRoleAsync(user, AccountsExtensions.AdminRole);
        }

        await services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(user.Id).ApplySubscription(
            new SubscriptionUpdate(SubscriptionTier.Enterprise, SubscriptionStatus.Active, null, null, null, null, DateTimeOffset.UtcNow));
        await services.GetRequiredService<AuditLog>().AppendAsync(AuditActions.AdminCreated, AuditOutcomes.Success, user.Id, "cli", target: user.Id);
        Console.WriteLine($"Admin ready: {email} (Enterprise, Active).");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
