using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Maneiro.Infrastructure.Hosting;

public static class MigrationHostExtensions
{
    /// <summary>
    /// Migrate-then-serve. Registered before Orleans so it finishes before the silo starts: the storage provider
    /// reads its query texts at start-up. <c>Database:MigrateOnStart=false</c> turns it off.
    /// Every migration (grain state, Identity, audit, billing) is embedded in this assembly.
    /// </summary>
    public static IServiceCollection AddManeiroMigrations(this IServiceCollection services, IConfiguration configuration)
    {
        if (!string.Equals(configuration["Database:MigrateOnStart"], "false", StringComparison.OrdinalIgnoreCase))
        {
            services.AddHostedService<DatabaseMigrationHostedService>();
        }

        return services;
    }

    /// <summary>The <c>migrate</c> command: applies every migration and returns.</summary>
    public static Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var migrator = new DatabaseMigrator(
            services.GetRequiredService<IConfiguration>().PostgresConnectionString(),
            services.GetRequiredService<ILogger<DatabaseMigrator>>());
        return migrator.MigrateAsync(cancellationToken);
    }

    private sealed class DatabaseMigrationHostedService(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => services.MigrateDatabaseAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
