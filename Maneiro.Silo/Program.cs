using Maneiro.Silo.Configuration;
using Maneiro.Silo.Hosting;
using Microsoft.Extensions.Hosting;

try
{
    var migrateOnly = args.Contains("migrate");
    var builder = Host.CreateApplicationBuilder(args);
    builder.Configuration.AddManeiroSources();
    if (migrateOnly)
    {
        using var migrator = builder.Build();
        await migrator.Services.MigrateDatabaseAsync();
        return 0;
    }

    builder.Services.AddManeiroMigrations(builder.Configuration);
    builder.UseOrleans(silo => silo.AddManeiroSilo(builder.Configuration));
    using var host = builder.Build();
    await host.RunAsync();
    return 0;
}
catch (MissingSettingException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 3;
}
