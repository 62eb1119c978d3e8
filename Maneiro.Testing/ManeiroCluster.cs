using Maneiro.Infrastructure.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;

namespace Maneiro.Testing;

/// <summary>
/// An Orleans test cluster on the real stack: Redis membership and reminders, PostgreSQL grain state
/// (its own fresh database unless one is given), configured by the same <c>AddManeiroSiloProviders</c> the product
/// uses, with its own ServiceId so its reminders are its own.
/// </summary>
public sealed class ManeiroCluster : IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDatabase;

    public ManeiroCluster()
        : this(null, null)
    {
    }

    private readonly bool _scriptedModel;
    private readonly bool _randomPlacement;

    private ManeiroCluster(TestDatabase? database, IDictionary<string, string?>? settings, bool scriptedModel = false, bool randomPlacement = false)
    {
        _scriptedModel = scriptedModel;
        _randomPlacement = randomPlacement;
        _ownsDatabase = database is null;
        Database = database ?? new TestDatabase();
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
    }

    /// <summary>A cluster on a database the caller prepared (and disposes), with extra settings.</summary>
    public static ManeiroCluster On(TestDatabase database, IDictionary<string, string?> settings) => new(database, settings);

    /// <summary>A cluster on its own database whose model is a <see cref="ScriptedAnalyzer"/> (a seam, for stage rules).</summary>
    public static ManeiroCluster WithScriptedModel() => new(null, null, scriptedModel: true);

    /// <summary>
    /// As <see cref="WithScriptedModel"/>, with random placement as the default: in-process silos report the same load,
    /// so the default (resource-optimized, preferring the local silo on a tie) would place a grain beside its caller
    /// anyway, and a test of where grains land could not tell a strategy from the tie.
    /// </summary>
    public static ManeiroCluster WithScriptedModelAndRandomPlacement() => new(null, null, scriptedModel: true, randomPlacement: true);

    public ScriptedAnalyzer Model => (ScriptedAnalyzer)SiloServices.GetRequiredService<Maneiro.Grains.Services.IClinicalAnalyzer>();

    public ScriptedTriager Triager => (ScriptedTriager)SiloServices.GetRequiredService<Maneiro.Grains.Services.IIntakeTriager>();

    public GatedAuditor Auditor => (GatedAuditor)SiloServices.GetRequiredService<Maneiro.Grains.Services.IJobAuditor>();

    public TestDatabase Database { get; }

    public string ClusterId { get; } = "grains-" + Guid.NewGuid().ToString("N")[..12];

    public string ServiceId => Database.ServiceId;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The first silo's services (its reminder table, its storage).</summary>
    public IServiceProvider SiloServices => ((InProcessSiloHandle)Cluster.Silos[0]).SiloHost.Services;

    public async Task InitializeAsync()
    {
        if (_ownsDatabase)
        {
            await Database.InitializeAsync();
        }

        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ClusterId = ClusterId;
        builder.Options.ServiceId = ServiceId;
        var settings = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = Database.Url,
            ["REDIS_URL"] = TestServers.RedisUrl,
            ["SECRET_KEY"] = TestServers.SecretKey,
            ["Storage:LocalPath"] = TestServers.BlobRoot,
        };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        if (_scriptedModel)
        {
            builder.AddSiloBuilderConfigurator<ScriptedAnalyzer.SiloConfigurator>();
        }

        if (_randomPlacement)
        {
            builder.AddSiloBuilderConfigurator<RandomPlacementConfigurator>();
        }

        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddManeiroSiloProviders(siloBuilder.Configuration);
    }

    private sealed class RandomPlacementConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(
                Maneiro.Infrastructure.Configuration.ConnectionUrls.ToRedisConfiguration(TestServers.RedisUrl)));
    }
}
