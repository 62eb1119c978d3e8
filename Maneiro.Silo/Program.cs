using Maneiro.Infrastructure;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Hosting;
using Maneiro.Infrastructure.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

try
{
    var migrateOnly = args.Contains("migrate");
    var builder = Host.CreateApplicationBuilder(HostArguments.WithoutConfigWatching(args));
    builder.Configuration.AddManeiroSources();
    if (migrateOnly)
    {
        using var migrator = builder.Build();
        await migrator.Services.MigrateDatabaseAsync();
        return 0;
    }

    builder.Logging.AddManeiroLogging(builder.Configuration, builder.Environment.IsDevelopment());
    builder.Services.AddManeiroTelemetry(builder.Configuration, "maneiro-silo");
    builder.Services.AddManeiroInfrastructure(builder.Configuration);
    builder.Services.AddManeiroMigrations(builder.Configuration);
    builder.UseOrleans(silo => silo.AddManeiroSilo(builder.Configuration));
    using var host = builder.Build();
    host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Maneiro.Silo").SiloStarted());
    await host.RunAsync();
    return 0;
}
catch (MissingSettingException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 3;
}
