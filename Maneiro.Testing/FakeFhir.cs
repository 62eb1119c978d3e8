using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Maneiro.Web.Fhir;
using Microsoft.AspNetCore.Http;

namespace Maneiro.Testing;

/// <summary>
/// A FHIR server on loopback https (a certificate made for the test, trusted through <c>Fhir:TrustedRootCertificate</c>),
/// reached by host name through <see cref="ScriptedFhirHosts"/>. By default it checks the transaction Bundle's shape
/// and the bearer token and answers as a server does: 200 with a transaction-response naming the created resources.
/// Tests can make it refuse with an OperationOutcome, redirect, or hang until released.
/// </summary>
public sealed class FhirPart : IAppPart
{
    public const string Host = "ehr.example";
    public const string Token = "fhir-bearer-token-7d1c3e5a9b";

    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _created;

    public FhirPart()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={Host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Re-imported so the private key is usable by the TLS stack on Linux.
        Certificate = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    public X509Certificate2 Certificate { get; }

    public FakeHttpServer Server { get; private set; } = null!;

    public ScriptedFhirHosts Hosts { get; } = new();

    public ConcurrentQueue<RecordedRequest> Requests => Server.Requests;

    public string BaseUrl => $"https://{Host}:{Server.BaseAddress.Port}/fhir";

    /// <summary>How the server answers the next requests; <see cref="CreatedAsync"/> unless a test says otherwise.</summary>
    public Func<RecordedRequest, HttpResponse, Task> Answer { get; set; } = null!;

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Fhir:TrustedRootCertificate"] = Certificate.ExportCertificatePem(),
        // The fake listens on loopback: allowed for these tests only, as an operator could allow a private EHR.
        ["Fhir:AllowedPrivateAddresses:0"] = "127.0.0.1",
        ["Fhir:SendTimeout"] = "00:00:03",
    };

    public async Task StartAsync()
    {
        Answer = CreatedAsync;
        Server = await FakeHttpServer.StartAsync((request, response) => Answer(request, response), Certificate);
        Hosts.Map(Host, IPAddress.Loopback);
    }

    /// <summary>Back to the default: check the transaction and answer with the created resources.</summary>
    public void AnswerCreated() => Answer = CreatedAsync;

    public void Refuse(int status, string diagnostics) => Answer = (_, response) => OutcomeAsync(response, status, "invalid", diagnostics);

    public void Redirect(string location) => Answer = (_, response) =>
    {
        response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        response.Headers.Location = location;
        return Task.CompletedTask;
    };

    /// <summary>Answers 200 with a body of <paramref name="megabytes"/> MB (a server that floods its client).</summary>
    public void Flood(int megabytes) => Answer = async (_, response) =>
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/fhir+json";
        var chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)' ');
        for (var i = 0; i < megabytes; i++)
        {
            await response.Body.WriteAsync(chunk);
        }
    };

    /// <summary>Never answers until <see cref="Release"/> (or disposal): the sender's timeout must end the wait.</summary>
    public void Hang() => Answer = async (_, _) => await _released.Task;

    public void Release() => _released.TrySetResult();

    /// <summary>A transaction's shape as a server checks it; the problem, or null.</summary>
    public static string? ShapeProblem(JsonNode bundle)
    {
        if (bundle["resourceType"]?.GetValue<string>() != "Bundle" || bundle["type"]?.GetValue<string>() != "transaction")
        {
            return "Expected a transaction Bundle";
        }

        var entries = bundle["entry"]?.AsArray() ?? [];
        var urls = entries.Select(e => e?["fullUrl"]?.GetValue<string>()).ToHashSet();
        foreach (var entry in entries)
        {
            var type = entry?["resource"]?["resourceType"]?.GetValue<string>();
            if (entry?["request"]?["method"]?.GetValue<string>() != "POST" || entry["request"]?["url"]?.GetValue<string>() != type)
            {
                return $"Entry {entry?["fullUrl"]} must be a POST to {type}";
            }

            if (entry["fullUrl"]?.GetValue<string>()?.StartsWith("urn:uuid:", StringComparison.Ordinal) != true)
            {
                return "Entries need urn:uuid full URLs";
            }
        }

        var references = entries.SelectMany(e => References(e?["resource"])).ToList();
        return references.FirstOrDefault(r => !urls.Contains(r)) is { } dangling ? $"Reference {dangling} does not resolve within the Bundle" : null;
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "reference" && p.Value is JsonValue v ? [v.GetValue<string>()] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };

    private async Task CreatedAsync(RecordedRequest request, HttpResponse response)
    {
        if (request.Headers.GetValueOrDefault("Authorization") != "Bearer " + Token)
        {
            await OutcomeAsync(response, StatusCodes.Status401Unauthorized, "login", "A valid bearer token is required.");
            return;
        }

        var bundle = JsonNode.Parse(request.Body)!;
        if (ShapeProblem(bundle) is { } problem)
        {
            await OutcomeAsync(response, StatusCodes.Status400BadRequest, "structure", problem);
            return;
        }

        var created = new JsonArray();
        foreach (var entry in bundle["entry"]!.AsArray())
        {
            var type = entry!["resource"]!["resourceType"]!.GetValue<string>();
            created.Add(new JsonObject { ["response"] = new JsonObject { ["status"] = "201 Created", ["location"] = $"{type}/{Interlocked.Increment(ref _created)}/_history/1" } });
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/fhir+json";
        await response.WriteAsync(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "transaction-response", ["entry"] = created }.ToJsonString());
    }

    private static async Task OutcomeAsync(HttpResponse response, int status, string code, string diagnostics)
    {
        response.StatusCode = status;
        response.ContentType = "application/fhir+json";
        await response.WriteAsync(new JsonObject
        {
            ["resourceType"] = "OperationOutcome",
            ["issue"] = new JsonArray(new JsonObject { ["severity"] = "error", ["code"] = code, ["diagnostics"] = diagnostics, ["expression"] = new JsonArray("Bundle.entry[1].resource") }),
        }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await Server.DisposeAsync();
        Certificate.Dispose();
    }
}

/// <summary>A DNS the test scripts: each host answers what it was last mapped to (so it can rebind between calls).</summary>
public sealed class ScriptedFhirHosts : FhirHostResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _answers = new(StringComparer.OrdinalIgnoreCase);

    public void Map(string host, params IPAddress[] addresses) => _answers[host] = addresses;

    public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? Task.FromResult(new[] { literal })
        : _answers.TryGetValue(host, out var addresses) ? Task.FromResult(addresses)
        : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
}
