using Maneiro.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;

namespace Maneiro.Tests.Infrastructure;

/// <summary>
/// An Orleans test cluster on the real stack: Redis membership and reminders, PostgreSQL grain state
/// (its own fresh database), configured by the same <c>AddManeiroSiloProviders</c> the product uses.
/// </summary>
public sealed class ManeiroCluster : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.Options.UseTestClusterMembership = false;
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = Database.Url,
            ["REDIS_URL"] = TestServers.RedisUrl,
            ["SECRET_KEY"] = TestServers.SecretKey,
            ["Storage:LocalPath"] = TestServers.BlobRoot,
        }));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddManeiroSiloProviders(siloBuilder.Configuration);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(
                Maneiro.Silo.Configuration.ConnectionUrls.ToRedisConfiguration(TestServers.RedisUrl)));
    }
}
