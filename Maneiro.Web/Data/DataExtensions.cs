using Maneiro.Silo.Configuration;
using Maneiro.Silo.Database;
using Microsoft.EntityFrameworkCore;

namespace Maneiro.Web.Data;

public static class DataExtensions
{
    /// <summary>The Identity database context on PostgreSQL, and the web's own migrations for the migrator.</summary>
    public static IServiceCollection AddManeiroData(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.PostgresConnectionString();
        services.AddDbContext<ManeiroDbContext>(o => o.UseNpgsql(connectionString));
        foreach (var migration in DatabaseMigrator.LoadEmbedded(typeof(DataExtensions).Assembly))
        {
            services.AddSingleton(migration);
        }

        return services;
    }
}
