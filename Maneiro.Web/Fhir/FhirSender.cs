using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Hl7.Fhir.Serialization;
using Maneiro.Grains.Domain.Clinics;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Fhir;

/// <summary>Section <c>Fhir</c>: how Maneiro talks to clinics' FHIR servers.</summary>
public sealed class FhirOptions
{
    public const string SectionName = "Fhir";

    /// <summary>How long a send may wait for the server's answer.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Addresses an operator allows although they are not public (an EHR reached over the deployment's private
    /// network). Empty by default: clinics' admins can never point Maneiro at an inner address.
    /// </summary>
    public List<string> AllowedPrivateAddresses { get; set; } = [];

    /// <summary>An extra root certificate (PEM) trusted for FHIR servers, for EHRs behind a private certificate authority.</summary>
    public string? TrustedRootCertificate { get; set; }
}

/// <summary>Resolves a FHIR server's host name (a seam so tests can answer as a rebinding DNS server would).</summary>
public class FhirHostResolver
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? Task.FromResult(new[] { literal }) : Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A FHIR server address Maneiro refuses to connect to, and why (shown to the user).</summary>
public sealed class FhirAddressRefusedException(string message) : Exception(message);

/// <summary>What became of a send: the server's created resources, or its reasons, or why nothing was sent.</summary>
public sealed record FhirSendOutcome(bool Sent, int? Status, IReadOnlyList<string> Created, IReadOnlyList<string> Issues, string Message);

/// <summary>
/// Posts transaction Bundles to a clinic's FHIR server. Every connection goes through one check: the host is resolved
/// at connect time and every address it resolves to must be public (so DNS rebinding between saving the address and
/// sending cannot reach an inner address), the socket connects to the checked address, only https is spoken, and
/// redirects are never followed. The bearer token is sent in the header and nowhere else: never logged or shown.
/// </summary>
public sealed partial class FhirSender : IDisposable
{
    private const int MaxAnswerBytes = 4 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
    private readonly HttpClient _client;
    private readonly FhirHostResolver _resolver;
    private readonly HashSet<IPAddress> _allowed;
    private readonly ILogger<FhirSender> _log;
    private readonly TimeSpan _timeout;

    public FhirSender(IOptions<FhirOptions> options, FhirHostResolver resolver, ILogger<FhirSender> log)
    {
        _resolver = resolver;
        _log = log;
        _timeout = options.Value.SendTimeout;
        _allowed = options.Value.AllowedPrivateAddresses.Select(IPAddress.Parse).ToHashSet();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = ConnectCheckedAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        if (options.Value.TrustedRootCertificate is { Length: > 0 } pem)
        {
            var root = X509Certificate2.CreateFromPem(pem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(root, certificate, errors);
        }

        // A server's answer is read into memory: bounded, so a hostile one cannot exhaust it.
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxAnswerBytes };
    }

    /// <summary>Why an address may not be used now (its form, or what its host resolves to), or null.</summary>
    public async Task<string?> ProblemAsync(string baseUrl, CancellationToken cancellationToken)
    {
        if (FhirAddressRules.Problem(baseUrl) is { } problem)
        {
            return problem;
        }

        try
        {
            await CheckedAddressAsync(new Uri(baseUrl).IdnHost, cancellationToken);
            return null;
        }
        catch (FhirAddressRefusedException refused)
        {
            return refused.Message;
        }
    }

    public async Task<FhirSendOutcome> SendAsync(string baseUrl, string? bearerToken, Bundle transaction, CancellationToken cancellationToken)
    {
        if (FhirAddressRules.Problem(baseUrl) is { } problem)
        {
            return new FhirSendOutcome(false, null, [], [], problem);
        }

        var host = new Uri(baseUrl).Host;
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl.TrimEnd('/'))
        {
            Content = new StringContent(JsonSerializer.Serialize(transaction, Json), Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Accept.ParseAdd("application/fhir+json");
        if (!string.IsNullOrEmpty(bearerToken))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var response = await _client.SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            LogAnswered(_log, host, (int)response.StatusCode);
            return Interpret(response, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(_log, host);
            return new FhirSendOutcome(false, null, [], [], $"The FHIR server did not answer within {_timeout.TotalSeconds:0} seconds. It may still have created the records: check the patient's chart before sending again.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is FhirAddressRefusedException refused)
        {
            LogRefused(_log, host);
            return new FhirSendOutcome(false, null, [], [], refused.Message);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            LogFailed(_log, host, ex.HttpRequestError);
            return new FhirSendOutcome(false, null, [], [], $"The FHIR server's answer was larger than {MaxAnswerBytes / (1024 * 1024)} MB, so Maneiro did not read it. It may have created the records: check the patient's chart before sending again.");
        }
        catch (HttpRequestException ex)
        {
            LogFailed(_log, host, ex.HttpRequestError);
            return new FhirSendOutcome(false, null, [], [], $"Maneiro could not reach the FHIR server at {host} ({Describe(ex)}). Nothing was sent.");
        }
    }

    private static FhirSendOutcome Interpret(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            var to = response.Headers.Location is { } location ? $" to {(location.IsAbsoluteUri ? location.Host : location.ToString())}" : "";
            return new FhirSendOutcome(false, status, [], [], $"The FHIR server redirected the request{to}. Maneiro sends only to the address the clinic configured and does not follow redirects: ask your admin to enter the server's final address.");
        }

        var resource = Parse(body);
        if (response.IsSuccessStatusCode)
        {
            var created = resource is Bundle answer
                ? answer.Entry.Select(e => e.Response?.Location ?? e.Resource?.TypeName + "/" + e.Resource?.Id).Where(l => l is { Length: > 1 } && !l.EndsWith('/')).ToList()
                : [];
            return new FhirSendOutcome(true, status, created, [], created.Count > 0 ? $"Sent: the FHIR server created {created.Count} resources." : "Sent: the FHIR server accepted the transaction.");
        }

        var issues = resource is OperationOutcome outcome
            ? outcome.Issue.Select(i => $"{i.Severity?.ToString().ToLowerInvariant() ?? "issue"}: {i.Details?.Text ?? i.Diagnostics ?? i.Code?.ToString()}{(i.Expression?.ToList() is { Count: > 0 } at ? " (" + string.Join(", ", at) + ")" : "")}").ToList()
            : [];
        return new FhirSendOutcome(false, status, [], issues, $"The FHIR server refused the transaction ({status} {response.ReasonPhrase}). Nothing was created{(issues.Count > 0 ? "; its reasons are below" : "")}.");
    }

    private static Resource? Parse(string body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize<Resource>(body, Json);
        }
        catch (Exception ex) when (ex is JsonException or DeserializationFailedException or NotSupportedException)
        {
            return null;
        }
    }

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "its name does not resolve",
        HttpRequestError.ConnectionError => "the connection failed",
        HttpRequestError.SecureConnectionError => "its certificate is not trusted",
        _ => "the request failed",
    };

    private async ValueTask<Stream> ConnectCheckedAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var address = await CheckedAddressAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Resolves the host now; every address must be public (or operator-allowed), else nothing connects.</summary>
    private async Task<IPAddress> CheckedAddressAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await _resolver.ResolveAsync(host.Trim('[', ']'), cancellationToken);
        }
        catch (SocketException)
        {
            throw new FhirAddressRefusedException($"{host} does not resolve to any address. Check the FHIR server's address.");
        }

        if (addresses.Length == 0)
        {
            throw new FhirAddressRefusedException($"{host} does not resolve to any address. Check the FHIR server's address.");
        }

        if (addresses.FirstOrDefault(a => !FhirAddressRules.IsPublic(a) && !_allowed.Contains(a)) is { } inner)
        {
            throw new FhirAddressRefusedException($"{host} resolves to {inner}, a private, loopback or link-local address. Maneiro sends only to FHIR servers reachable on the internet.");
        }

        return addresses[0];
    }

    private static bool Trusted(X509Certificate2 root, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(presented));
    }

    public void Dispose() => _client.Dispose();

    // Only the host and the status are logged: never the token, the Bundle or the server's answer (they hold PHI).
    [LoggerMessage(Level = LogLevel.Information, Message = "FHIR transaction to {Host} answered {Status}")]
    private static partial void LogAnswered(ILogger logger, string host, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR transaction to {Host} timed out")]
    private static partial void LogTimedOut(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR transaction to {Host} refused: the host resolves to an address that is not public")]
    private static partial void LogRefused(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR transaction to {Host} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string host, HttpRequestError error);
}
