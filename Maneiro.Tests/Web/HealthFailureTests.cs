using System.Net;
using System.Text.Json;
using Maneiro.Testing;

namespace Maneiro.Tests.Web;

public sealed class HealthFailureTests
{
    [Fact]
    public async Task Healthz_is_503_naming_redis_while_redis_is_down_and_recovers_when_it_returns()
    {
        await using var redis = new ScratchRedis();
        await redis.StartAsync();
        var database = new TestDatabase();
        await database.InitializeAsync();
        try
        {
            await using var factory = new ManeiroWebFactory(database.Url, new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url });
            using var client = factory.CreateHttpClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

            await redis.StopAsync();
            using var down = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            using var json = JsonDocument.Parse(await down.Content.ReadAsStringAsync());
            Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
            Assert.Contains("redis", json.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));

            await redis.StartAsync();
            await Eventually.TrueAsync(
                async () => (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode == HttpStatusCode.OK,
                "/healthz answered 200 again after Redis came back",
                TimeSpan.FromSeconds(30));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Healthz_is_503_naming_postgres_when_the_database_is_gone()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        await using var factory = new ManeiroWebFactory(database.Url);
        using var client = factory.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

        await database.DisposeAsync();
        using var down = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        using var json = JsonDocument.Parse(await down.Content.ReadAsStringAsync());
        Assert.Equal("postgres", Assert.Single(json.RootElement.GetProperty("failing").EnumerateArray()).GetString());
    }
}
