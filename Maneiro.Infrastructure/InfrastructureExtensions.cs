using Maneiro.Grains.Domain;
using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Observability;
using Maneiro.Infrastructure.Audit;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Infrastructure.OpenAi;
using Maneiro.Infrastructure.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StackExchange.Redis;

namespace Maneiro.Infrastructure;

public static class InfrastructureExtensions
{
    /// <summary>
    /// What every Maneiro process shares, registered once however many hosts ask (the web with a co-hosted silo asks
    /// twice): the PostgreSQL data source, the Redis multiplexer, the blob store, the audit log, the progress channel,
    /// the clock, telemetry, prompts and usage limits.
    /// </summary>
    public static IServiceCollection AddManeiroInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(InfrastructureRegistered)))
        {
            return services;
        }

        services.AddSingleton<InfrastructureRegistered>();

        // First hosted service: plaintext left by a process that died is gone before this one takes work.
        services.AddHostedService<Storage.ScratchSpace.StartupSweep>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ManeiroTelemetry>();
        services.Configure<UsageLimitsOptions>(configuration.GetSection(UsageLimitsOptions.SectionName));
        services.Configure<JobOptions>(configuration.GetSection(JobOptions.SectionName));

        var postgres = configuration.PostgresConnectionString();
        var redis = configuration.RedisOptions();
        services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = redis.Clone();
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        });

        // Connect at start-up, before the silo starts, so no grain activation waits for the first connection.
        services.AddHostedService<RedisWarmUp>();

        services.AddManeiroBlobStore(configuration);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditClinics>();
        services.AddSingleton<IJobAuditor, PostgresJobAuditor>();
        services.AddSingleton<IJobProgressPublisher, RedisJobProgressPublisher>();
        services.AddSingleton<IInboxPublisher, RedisInboxPublisher>();
        services.AddSingleton<PostgresIntakeIndex>();
        services.AddSingleton<IIntakeIndex>(sp => sp.GetRequiredService<PostgresIntakeIndex>());
        services.AddSingleton<PostgresSweptRecords>();
        services.TryAddSingleton<ISweptRecords>(sp => sp.GetRequiredService<PostgresSweptRecords>());
        services.TryAddSingleton<IRetentionClock, SystemRetentionClock>();
        services.AddSingleton<IExportArchives, Exports.ZipExportArchives>();
        services.Configure<RetentionOptions>(configuration.GetSection(RetentionOptions.SectionName));
        services.AddSingleton<PromptLibrary>();
        services.AddSingleton(sp => AnalysisFingerprints.Create(sp.GetRequiredService<NpgsqlDataSource>(), configuration));
        services.AddSingleton<IAnalysisFingerprintIndex>(sp => sp.GetRequiredService<AnalysisFingerprints>());
        services.AddSingleton<IJobIndexStore, Storage.PostgresJobIndex>();

        // PDFs are parsed in the web (at upload) and in the silo (the text layer), always in a limited child process.
        services.TryAddSingleton(_ => new CpuWork());
        services.Configure<PdfToolOptions>(configuration.GetSection(PdfToolOptions.SectionName));
        services.TryAddSingleton<PdfTextServers>();
        services.TryAddSingleton<PopplerPdf>();
        return services;
    }

    private sealed class InfrastructureRegistered;

    private sealed class RedisWarmUp(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<IConnectionMultiplexer>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
