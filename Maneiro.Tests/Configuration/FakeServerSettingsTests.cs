using Maneiro.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Maneiro.Tests.Configuration;

/// <summary>
/// The loopback fakes run inside the tests' and the benchmark's process: a settings watch there is a recursive inotify
/// watch over the working directory (the checkout, with PostgreSQL's data under .local/, when the benchmark runs), woken
/// by every database write and counted against the user's 128 inotify instances.
/// </summary>
public sealed class FakeServerSettingsTests
{
    [Fact]
    public async Task A_fake_server_does_not_watch_settings_files()
    {
        await using var server = await FakeHttpServer.StartAsync((_, response) => response.WriteAsync("ok"));

        var files = ((IConfigurationRoot)server.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.Contains(files, f => f.Source.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, f.Source.Path));
    }
}
