using Maneiro.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Maneiro.Tests.Unit.Configuration;

public sealed class ConnectionUrlsTests
{
    [Fact]
    public void Postgres_url_becomes_an_npgsql_connection_string()
    {
        var cs = new NpgsqlConnectionStringBuilder(ConnectionUrls.ToNpgsqlConnectionString("postgresql://maneiro_user:p%40ss:w@db.example:6543/maneiro?sslmode=require"));
        Assert.Equal("db.example", cs.Host);
        Assert.Equal(6543, cs.Port);
        Assert.Equal("maneiro", cs.Database);
        Assert.Equal("maneiro_user", cs.Username);
        Assert.Equal("p@ss:w", cs.Password);
        Assert.Equal(SslMode.Require, cs.SslMode);
    }

    [Fact]
    public void Redis_options_come_from_the_url_and_do_their_socket_io_on_the_thread_pool()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SecretSettings.RedisUrl] = "rediss://:s3cret@cache.example:6380" }).Build();
        var options = configuration.RedisOptions();
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(("cache.example", 6380), (endpoint.Host, endpoint.Port));
        Assert.Equal("s3cret", options.Password);
        Assert.True(options.Ssl);
        Assert.Same(StackExchange.Redis.SocketManager.ThreadPool, options.SocketManager);
    }

    [Fact]
    public void Postgres_short_scheme_and_default_port_are_accepted()
    {
        var cs = new NpgsqlConnectionStringBuilder(ConnectionUrls.ToNpgsqlConnectionString("postgres://u@localhost/app"));
        Assert.Equal(5432, cs.Port);
        Assert.Equal("app", cs.Database);
    }

    [Fact]
    public void Npgsql_connection_string_passes_through()
    {
        var cs = new NpgsqlConnectionStringBuilder(ConnectionUrls.ToNpgsqlConnectionString("Host=h;Port=1234;Database=d;Username=u"));
        Assert.Equal("h", cs.Host);
        Assert.Equal(1234, cs.Port);
    }

    [Fact]
    public void Pooled_database_connections_are_not_reset_on_every_use()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [SecretSettings.DatabaseUrl] = "postgresql://u:p@db.example/maneiro?sslmode=require" })
            .Build();

        var cs = new NpgsqlConnectionStringBuilder(configuration.PostgresConnectionString());

        Assert.True(cs.NoResetOnClose);
        Assert.Equal("db.example", cs.Host);
        Assert.Equal(SslMode.Require, cs.SslMode);
    }

    [Theory]
    [InlineData("postgresql://u:p@db.example/maneiro")]
    [InlineData("Host=db.example;Database=maneiro;Username=u")]
    public void Statements_used_again_and_again_are_prepared_on_each_pooled_connection(string url)
    {
        var cs = new NpgsqlConnectionStringBuilder(Configured(url).PostgresConnectionString());

        Assert.Equal(ManeiroSettings.AutoPreparedStatements, cs.MaxAutoPrepare);
        Assert.True(cs.NoResetOnClose);
    }

    [Fact]
    public void A_connection_string_that_turns_automatic_preparation_off_keeps_it_off()
    {
        // Behind a pooler in transaction mode a prepared statement may be gone on the next transaction's connection.
        var cs = new NpgsqlConnectionStringBuilder(Configured("Host=pooler.example;Database=maneiro;Max Auto Prepare=0").PostgresConnectionString());

        Assert.Equal(0, cs.MaxAutoPrepare);
    }

    private static IConfiguration Configured(string databaseUrl) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [SecretSettings.DatabaseUrl] = databaseUrl })
        .Build();

    [Fact]
    public void Garbage_database_url_fails_without_echoing_its_value()
    {
        var ex = Assert.Throws<FormatException>(() => ConnectionUrls.ToNpgsqlConnectionString("not a url; secretpassword"));
        Assert.DoesNotContain("secretpassword", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6390/2", "127.0.0.1:6390,abortConnect=false,defaultDatabase=2")]
    [InlineData("redis://localhost", "localhost:6379,abortConnect=false")]
    [InlineData("redis://:s3cret@cache:6379/0", "cache:6379,abortConnect=false,password=s3cret,defaultDatabase=0")]
    [InlineData("rediss://red-user:pw@kv.render.com:6379", "kv.render.com:6379,abortConnect=false,user=red-user,password=pw,ssl=true")]
    [InlineData("cache:6379,password=x", "cache:6379,password=x")]
    public void Redis_url_becomes_a_stackexchange_configuration(string url, string expected) =>
        Assert.Equal(expected, ConnectionUrls.ToRedisConfiguration(url));

    [Fact]
    public void Missing_setting_names_the_key_and_not_a_value()
    {
        var configuration = new ConfigurationBuilder().Build();
        var ex = Assert.Throws<MissingSettingException>(() => configuration.PostgresConnectionString());
        Assert.Contains("DATABASE_URL", ex.Message, StringComparison.Ordinal);
    }
}
