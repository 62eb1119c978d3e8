using System.Net;
using System.Net.Sockets;

namespace Maneiro.Grains.Domain.Clinics;

/// <summary>
/// Which FHIR server addresses Maneiro will send patient data to: https only, and never an address inside a network
/// (loopback, private, link-local, carrier-grade NAT, unspecified, multicast), so a configured URL cannot reach the
/// cluster's own services or a cloud metadata endpoint. Host names are resolved and checked again at send time.
/// </summary>
public static class FhirAddressRules
{
    /// <summary>Why the base URL cannot be used, or null when its form is acceptable.</summary>
    public static string? Problem(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl.Trim(), UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            return "Enter the FHIR server's full address, such as https://fhir.example-ehr.com/r4.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return "The FHIR server's address must start with https:// (patient data is never sent unencrypted).";
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return "Enter the FHIR server's base address alone: no user name, query or fragment (the token goes in its own field).";
        }

        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && !IsPublic(literal))
        {
            return $"{uri.Host} is a private, loopback or link-local address. Maneiro sends only to FHIR servers reachable on the internet.";
        }

        return uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? "localhost is this machine. Maneiro sends only to FHIR servers reachable on the internet."
            : null;
    }

    /// <summary>Whether an address is on the public internet (not loopback, private, link-local, CGNAT, multicast…).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] is >= 64 and <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 198 && b[1] is 18 or 19));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var v6 = address.GetAddressBytes();
        return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || address.IsIPv6UniqueLocal || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8)
            || v6.Take(12).All(x => x == 0));
    }
}
