using System.Net;
using System.Text.Json;
using Maneiro.Testing;

namespace Maneiro.Tests.Web;

public sealed class HealthAndVersionTests(WebAppFixture web) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task Healthz_is_ok_when_postgres_redis_and_the_cluster_answer()
    {
        using var client = web.Factory.CreateHttpClient();
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        foreach (var part in new[] { "postgres", "redis", "orleans" })
        {
            Assert.Equal("ok", json.RootElement.GetProperty("checks").GetProperty(part).GetString());
        }
    }

    [Fact]
    public async Task Version_reports_version_commit_and_build_time()
    {
        using var client = web.Factory.CreateHttpClient();
        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri("/version", UriKind.Relative)));
        Assert.Equal("0.1.0", json.RootElement.GetProperty("version").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("commit").GetString()));
        Assert.True(DateTimeOffset.TryParse(json.RootElement.GetProperty("buildTime").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task Home_page_sends_strangers_to_sign_in_over_a_real_socket()
    {
        using var client = web.Factory.CreateHttpClient();
        using var home = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/Account/Login", home.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var login = await client.GetStringAsync(home.Headers.Location);
        Assert.Contains("<h1>Sign in</h1>", login, StringComparison.Ordinal);
    }
}

/// <summary>One web app (co-hosted silo) on its own fresh database, shared by a test class.</summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();

    public ManeiroWebFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Factory = new ManeiroWebFactory(Database.Url);
        _ = Factory.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Database.DisposeAsync();
    }
}
