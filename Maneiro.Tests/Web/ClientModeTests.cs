using System.Globalization;
using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Web;

/// <summary>The production shape: a standalone silo process, and the web joining its cluster as a client.</summary>
public sealed class ClientModeTests
{
    [Fact]
    public async Task Web_in_client_mode_serves_through_a_standalone_silo_process()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        var clusterId = "client-mode-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var silo = ManeiroProcess.StartSilo(new Dictionary<string, string>
            {
                ["DATABASE_URL"] = database.Url,
                ["REDIS_URL"] = TestServers.RedisUrl,
                ["SECRET_KEY"] = TestServers.SecretKey,
                ["Orleans__ClusterId"] = clusterId,
                ["Orleans__ServiceId"] = database.ServiceId,
                ["Orleans__SiloPort"] = TestServers.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = TestServers.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            });
            await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

            // Settings are read at start: the silo watches no file (an appsettings watch is recursive over its folder).
            Assert.Equal(0, FileWatches.Count(silo.ProcessId));

            await using var web = new ManeiroWebFactory(database.Url, new Dictionary<string, string?>
            {
                ["Orleans:Mode"] = "Client",
                ["Orleans:ClusterId"] = clusterId,
            });
            using var client = web.CreateHttpClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

            // Nor does the web reload its appsettings files.
            var files = ((IConfigurationRoot)web.Services.GetRequiredService<IConfiguration>()).Providers.OfType<FileConfigurationProvider>().ToList();
            Assert.Contains(files, f => f.Source.Path == "appsettings.json");
            Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, f.Source.Path));

            // The grain runs in the silo process and its state lands in PostgreSQL.
            var user = web.Services.GetRequiredService<IClusterClient>().GetGrain<IUserGrain>("client-mode-user");
            Assert.True((await user.TryReserve(UsageKind.Analyses, "job", 1)).Granted);
            Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM orleans_grain_state WHERE grain_id_ext = 'client-mode-user'"));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Silo_without_a_database_setting_stops_with_a_message_naming_it()
    {
        await using var silo = ManeiroProcess.StartSilo(new Dictionary<string, string> { ["REDIS_URL"] = TestServers.RedisUrl, ["DATABASE_URL"] = "", ["SECRET_KEY"] = TestServers.SecretKey });
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Required setting 'DATABASE_URL' is not set", ex.Message, StringComparison.Ordinal);
    }
}
