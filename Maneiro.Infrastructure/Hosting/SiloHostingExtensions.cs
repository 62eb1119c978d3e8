using System.Net;
using Maneiro.Grains;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;

namespace Maneiro.Infrastructure.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>
    /// Everything a Maneiro silo needs, for the standalone silo process and the web's co-hosted silo alike:
    /// Redis membership and reminders, PostgreSQL grain state, and the services grains call.
    /// </summary>
    public static ISiloBuilder AddManeiroSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = OrleansSettings.From(configuration);
        // Failure-detection timings (ProbeTimeout, NumMissedProbesLimit, …) can be tuned under Orleans:Membership.
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });

        if (settings.AdvertisedHost is { } host)
        {
            // In containers each silo advertises its own resolvable name ("auto": this machine's host name) and
            // listens only on the address that name resolves to: the private network the cluster shares, never every
            // interface (Orleans:ListenOnAnyAddress=true restores that where the advertised address is not local).
            var name = host.Equals("auto", StringComparison.OrdinalIgnoreCase) ? Dns.GetHostName() : host;
            silo.ConfigureEndpoints(name, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: configuration.GetValue("Orleans:ListenOnAnyAddress", false));
        }
        else
        {
            silo.ConfigureEndpoints(IPAddress.Loopback, settings.SiloPort, settings.GatewayPort);
        }

        return silo.AddManeiroSiloProviders(configuration);
    }

    /// <summary>
    /// Redis membership and reminders, PostgreSQL grain state and grain services, without cluster identity or
    /// endpoints (which the test cluster sets for itself).
    /// </summary>
    public static ISiloBuilder AddManeiroSiloProviders(this ISiloBuilder silo, IConfiguration configuration)
    {
        var postgres = configuration.PostgresConnectionString();
        silo.UseRedisClustering(o => o.ConfigurationOptions = configuration.RedisOptions());
        silo.UseRedisReminderService(o => o.ConfigurationOptions = configuration.RedisOptions());
        silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = postgres;
        });
        silo.Services.AddKeyedSingleton<Orleans.Storage.IGrainStorageSerializer, Maneiro.Infrastructure.Storage.GrainStateSerializer>(GrainStorage.Name);

        // Trace context flows through grain calls; the dashboard collects on every silo (admins view it in the web).
        silo.AddActivityPropagation();
        silo.AddDashboard();
        silo.Services.AddManeiroInfrastructure(configuration);
        silo.Services.AddManeiroPipeline(configuration);

        // Unfinished jobs beside the reminders, keyed by this cluster's ServiceId; every silo sweeps them.
        silo.Services.AddSingleton<IUnfinishedJobs>(sp => new RedisUnfinishedJobs(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        silo.Services.AddSingleton<UnfinishedJobSweep>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<UnfinishedJobSweep>());
        return silo;
    }

    /// <summary>Joins an existing cluster as a client (the web in <c>Orleans:Mode=Client</c>).</summary>
    public static IClientBuilder AddManeiroClient(this IClientBuilder client, IConfiguration configuration)
    {
        var settings = OrleansSettings.From(configuration);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        client.UseRedisClustering(o => o.ConfigurationOptions = configuration.RedisOptions());
        client.AddActivityPropagation();
        client.AddDashboard();
        return client;
    }
}
