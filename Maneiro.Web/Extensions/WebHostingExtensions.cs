using Maneiro.Silo.Configuration;
using Maneiro.Silo.Hosting;
using Maneiro.Web.Health;
using Npgsql;
using StackExchange.Redis;

namespace Maneiro.Web.Extensions;

public static class WebHostingExtensions
{
    /// <summary>Configuration sources, the Orleans silo or client, the shared data connections, and the pages.</summary>
    public static WebApplicationBuilder AddManeiroWeb(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddManeiroSources(builder.Environment.ContentRootPath);
        var configuration = builder.Configuration;

        // Commands (migrate, …) run without serving, so they skip start-up migration and the silo.
        if (CommandLine.Command(args) is null)
        {
            builder.Services.AddManeiroMigrations(configuration);
            builder.AddManeiroOrleans();
            builder.Services.AddSingleton<DependencyHealth>();
        }

        builder.AddManeiroSentry();

        var postgres = configuration.PostgresConnectionString();
        var redis = configuration.RedisConfiguration();
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(redis);
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddRazorPages();
        return builder;
    }

    /// <summary><c>Orleans:Mode</c>: <c>Cohosted</c> (default) runs a silo in this process; <c>Client</c> joins the silos' cluster.</summary>
    public static WebApplicationBuilder AddManeiroOrleans(this WebApplicationBuilder builder)
    {
        var mode = builder.Configuration["Orleans:Mode"] ?? "Cohosted";
        if (mode.Equals("Client", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseOrleansClient(client => client.AddManeiroClient(builder.Configuration));
        }
        else if (mode.Equals("Cohosted", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseOrleans(silo => silo.AddManeiroSilo(builder.Configuration));
        }
        else
        {
            throw new InvalidOperationException($"Orleans:Mode must be 'Cohosted' or 'Client', not '{mode}'.");
        }

        return builder;
    }

    /// <summary>Sentry only when SENTRY_DSN is set, and never with request bodies, cookies or user e-mail addresses.</summary>
    public static WebApplicationBuilder AddManeiroSentry(this WebApplicationBuilder builder)
    {
        var dsn = builder.Configuration[SecretSettings.SentryDsn];
        if (string.IsNullOrWhiteSpace(dsn))
        {
            return builder;
        }

        builder.WebHost.UseSentry(o =>
        {
            o.Dsn = dsn;
            o.SendDefaultPii = false;
            o.MaxRequestBodySize = Sentry.Extensibility.RequestSize.None;
            o.SetBeforeSend(PhiScrubber.Scrub);
        });
        return builder;
    }

    public static WebApplication UseManeiroWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
        }

        app.UseStaticFiles();
        app.UseRouting();
        app.MapHealthEndpoints();
        app.MapRazorPages();
        return app;
    }
}
