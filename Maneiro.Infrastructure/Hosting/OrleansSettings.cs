using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Maneiro.Infrastructure.Hosting;

/// <summary>The <c>Orleans:*</c> settings shared by silos and clients.</summary>
public sealed record OrleansSettings(string ClusterId, string ServiceId, int SiloPort, int GatewayPort, string? AdvertisedHost)
{
    public static OrleansSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Orleans");
        return new OrleansSettings(
            section["ClusterId"] ?? "maneiro",
            section["ServiceId"] ?? "maneiro",
            Port(section["SiloPort"], 11111),
            Port(section["GatewayPort"], 30000),
            string.IsNullOrWhiteSpace(section["AdvertisedHost"]) ? null : section["AdvertisedHost"]);
    }

    private static int Port(string? value, int fallback) =>
        string.IsNullOrWhiteSpace(value) ? fallback : int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
}
