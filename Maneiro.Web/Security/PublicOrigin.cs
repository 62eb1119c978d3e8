using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Maneiro.Web.Security;

/// <summary>
/// The one origin every absolute link is built from (mail links, Stripe return URLs), never the request's Host
/// header, which a client chooses. <c>App:PublicUrl</c>; else Render's <c>RENDER_EXTERNAL_URL</c>; else, in the local
/// run, the address the app listens on.
/// </summary>
public sealed class PublicOrigin(IConfiguration configuration, IServer server)
{
    private Uri? _origin;

    public Uri Origin => _origin ??= Resolve();

    /// <summary>An absolute link to a path (and query) on this app.</summary>
    public string Link(string pathAndQuery) => new Uri(Origin, pathAndQuery).ToString();

    private IReadOnlySet<string>? _allowedHosts;

    /// <summary>The host names requests may name: the public origin's, plus <c>App:AllowedHosts</c> (e.g. a private name for health checks). Read on every request, built once.</summary>
    public IReadOnlySet<string> AllowedHosts => _allowedHosts ??= BuildAllowedHosts();

    private HashSet<string> BuildAllowedHosts()
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Origin.Host };
        foreach (var host in (configuration["App:AllowedHosts"] ?? "").Split(';', ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            hosts.Add(host);
        }

        return hosts;
    }

    private Uri Resolve()
    {
        if ((Configured(configuration["App:PublicUrl"]) ?? Configured(configuration["RENDER_EXTERNAL_URL"])) is { } configured)
        {
            return configured;
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Set App:PublicUrl (the address users reach this app at) so links in mail and payment pages can be built.");
        return new Uri(listening.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal));
    }

    private static Uri? Configured(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : Uri.TryCreate(value.Trim().TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri
        : throw new InvalidOperationException($"App:PublicUrl must be an absolute http(s) address, not '{value}'.");
}

/// <summary>
/// Outside Development, a request naming a host this app is not reached at gets 400 (the Host header must not steer
/// anything); <c>/healthz</c> answers whatever the host, for platform and compose health checks.
/// </summary>
public sealed class HostAllowListMiddleware(RequestDelegate next, PublicOrigin origin)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/healthz") || origin.AllowedHosts.Contains(context.Request.Host.Host))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsync("Unknown host.");
    }
}
