using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Maneiro.Web.Security;

public static class ForwardedHeadersExtensions
{
    /// <summary>
    /// Behind a TLS proxy (Render, an AWS load balancer) the client's address and scheme arrive in X-Forwarded-For and
    /// X-Forwarded-Proto; they are believed only from the proxies named in <c>App:ForwardedHeaders:KnownProxies</c>
    /// (addresses) or <c>KnownNetworks</c> (CIDR), <c>;</c>-separated, and by default only from loopback, so a client
    /// talking to the app directly cannot choose the address that rate limits and the audit trail record.
    /// </summary>
    public static IServiceCollection AddManeiroForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = Split(configuration["App:ForwardedHeaders:KnownProxies"]).Select(IPAddress.Parse).ToList();
        var networks = Split(configuration["App:ForwardedHeaders:KnownNetworks"]).Select(System.Net.IPNetwork.Parse).ToList();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            if (proxies.Count + networks.Count == 0)
            {
                return;
            }

            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            proxies.ForEach(o.KnownProxies.Add);
            networks.ForEach(o.KnownIPNetworks.Add);
        });
        return services;
    }

    private static string[] Split(string? value) => (value ?? "").Split(';', ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
