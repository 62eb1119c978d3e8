using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Testing;

/// <summary>
/// The real web app on Kestrel (a real socket), against the real PostgreSQL and Redis, with a co-hosted silo
/// on free ports and its own cluster id so parallel tests do not join each other's clusters.
/// </summary>
public sealed class ManeiroWebFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IWebHostBuilder>? _configure;

    public ManeiroWebFactory(string databaseUrl, IDictionary<string, string?>? settings = null, Action<IWebHostBuilder>? configure = null)
    {
        _configure = configure;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["DATABASE_URL"] = databaseUrl,
            ["REDIS_URL"] = TestServers.RedisUrl,
            ["SECRET_KEY"] = TestServers.SecretKey,
            ["Storage:LocalPath"] = TestServers.BlobRoot,
            ["Pdf:TextServerPath"] = TestServers.PdfTextServerPath,
            ["Orleans:Mode"] = "Cohosted",
            ["Orleans:ClusterId"] = "web-" + Guid.NewGuid().ToString("N")[..12],
            ["Orleans:SiloPort"] = TestServers.FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = TestServers.FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        // Every process on this test database shares its ServiceId; no other test does.
        _settings.TryAdd("Orleans:ServiceId", TestServers.ServiceIdFor(databaseUrl));

        UseKestrel(0);
    }

    /// <summary>Base address of the real listening socket.</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }

    /// <summary>A plain HTTP client over the socket, with its own cookie jar and no automatic redirects.</summary>
    public HttpClient CreateHttpClient(System.Net.CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies ?? new System.Net.CookieContainer() })
        {
            BaseAddress = BaseAddress,
        };

    public string ServiceId => _settings["Orleans:ServiceId"]!;

    /// <summary>A setting the app was started with (a second instance joining this one reads its cluster and storage).</summary>
    public string? Setting(string key) => _settings.GetValueOrDefault(key);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        _configure?.Invoke(builder);
    }
}
