using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Maneiro.Infrastructure.Speech;

/// <summary>
/// AWS Signature Version 4 for a request whose canonical form the caller builds (the AWS SDK's own signer is in an
/// internal namespace). Checked against AWS's published examples in the unit tests.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    public static string AmzDate(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Scope(DateTime utc, string region, string service) =>
        $"{utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request";

    public static byte[] SigningKey(string secretKey, string date, string region, string service)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, "aws4_request");
    }

    public static string StringToSign(DateTime utc, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{AmzDate(utc)}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secretKey, DateTime utc, string region, string service, string canonicalRequest)
    {
        var key = SigningKey(secretKey, utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture), region, service);
        return Convert.ToHexStringLower(Hmac(key, StringToSign(utc, Scope(utc, region, service), canonicalRequest)));
    }

    /// <summary>The Authorization header's value for a request signed with these credentials.</summary>
    public static string Authorization(string accessKey, string secretKey, DateTime utc, string region, string service, string signedHeaders, string canonicalRequest) =>
        $"{Algorithm} Credential={accessKey}/{Scope(utc, region, service)}, SignedHeaders={signedHeaders}, Signature={Signature(secretKey, utc, region, service, canonicalRequest)}";

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
