using Maneiro.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;

namespace Maneiro.Web.Data;

public static class DataExtensions
{
    /// <summary>
    /// The Identity database context on PostgreSQL (its tables are created by the migrations in Maneiro.Infrastructure),
    /// pooled: most requests resolve Identity's user manager, and an unpooled context built its options anew for each
    /// (bench: about 1.5 % of the web process's CPU during uploads, none of which touch the context).
    /// </summary>
    public static IServiceCollection AddManeiroData(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.PostgresConnectionString();
        services.AddDbContextPool<ManeiroDbContext>(o => o.UseNpgsql(connectionString));
        return services;
    }
}
