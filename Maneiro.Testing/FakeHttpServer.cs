using System.Collections.Concurrent;
using Maneiro.Infrastructure.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maneiro.Testing;

/// <summary>
/// A real HTTP server on a loopback port that plays a remote API (SSM, Stripe, OpenAI…): tests point the real SDK
/// at it and answer with the wire format the service uses.
/// </summary>
public sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeHttpServer(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The fake's own host settings.</summary>
    public IConfiguration Configuration => _app.Configuration;

    /// <summary>Starts on a free loopback port: plain http, or https with <paramref name="certificate"/>.</summary>
    public static async Task<FakeHttpServer> StartAsync(Func<RecordedRequest, HttpResponse, Task> handler, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        // Like the apps, a fake reads no settings file after start: the default is a recursive watch over the working
        // directory (in a benchmark, the checkout with PostgreSQL's data directory: a wakeup per database write).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = HostArguments.WithoutConfigWatching([]) });
        builder.Logging.ClearProviders();
        if (certificate is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        }

        var app = builder.Build();
        var server = new FakeHttpServer(app);
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            var recorded = new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                System.Text.Encoding.UTF8.GetString(bytes))
            {
                BodyBytes = bytes,
            };
            server.Requests.Enqueue(recorded);
            await handler(recorded, context.Response);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public byte[] BodyBytes { get; init; } = [];

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
