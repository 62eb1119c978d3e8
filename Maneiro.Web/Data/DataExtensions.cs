using Maneiro.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;

namespace Maneiro.Web.Data;

public static class DataExtensions
{
    /// <summary>The Identity database context on PostgreSQL (its tables are created by the migrations in Maneiro.Infrastructure).</summary>
    public static IServiceCollection AddManeiroData(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.PostgresConnectionString();
        services.AddDbContext<ManeiroDbContext>(o => o.UseNpgsql(connectionString));
        return services;
    }
}
