using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Maneiro.Testing;

/// <summary>
/// AWS Transcribe's JSON API on loopback. It checks each request's Signature V4 against the test credentials
/// (rebuilding the canonical request from what arrived), keeps jobs, and serves their transcript files.
/// </summary>
public sealed class FakeTranscribe : IAsyncDisposable
{
    public const string AccessKey = "AKIDTRANSCRIBE";
    public const string SecretKey = "transcribe-secret";
    private FakeHttpServer _server = null!;

    public ConcurrentDictionary<string, JsonObject> Jobs { get; } = new();

    public ConcurrentQueue<string> Actions { get; } = new();

    public int BadSignatures { get; private set; }

    public string Transcript { get; set; } = "Patient reports blurred vision in the right eye.";

    /// <summary>Every StartTranscriptionJob body, in order (language, speaker settings).</summary>
    public ConcurrentQueue<JsonObject> StartRequests { get; } = new();

    /// <summary>What a job that asked for speaker labels hears: audio segments with Transcribe's labels.</summary>
    public IReadOnlyList<(string Speaker, string Text)> VisitSegments { get; set; } = [("spk_0", "What brings you in today?"), ("spk_1", "My right eye is blurry."), ("spk_0", "Since when?")];

    private readonly ConcurrentDictionary<string, bool> _speakerJobs = new();

    /// <summary>When set, the next job polled reports FAILED, as Transcribe does for audio it cannot read.</summary>
    public bool FailNextJob { get; set; }

    public Uri Endpoint => _server.BaseAddress;

    public static async Task<FakeTranscribe> StartAsync()
    {
        var fake = new FakeTranscribe();
        fake._server = await FakeHttpServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(RecordedRequest request, HttpResponse response)
    {
        if (request.Method == "GET" && request.PathAndQuery.StartsWith("/transcripts/", StringComparison.Ordinal))
        {
            response.ContentType = "application/json";
            var results = new JsonObject
            {
                ["transcripts"] = new JsonArray(new JsonObject { ["transcript"] = Transcript }),
                ["items"] = new JsonArray(new JsonObject { ["start_time"] = "0.1", ["end_time"] = "3.6", ["type"] = "pronunciation" }),
            };
            var jobName = request.PathAndQuery["/transcripts/".Length..].Replace(".json", "", StringComparison.Ordinal);
            if (_speakerJobs.ContainsKey(jobName))
            {
                results["transcripts"] = new JsonArray(new JsonObject { ["transcript"] = string.Join(' ', VisitSegments.Select(v => v.Text)) });
                results["audio_segments"] = new JsonArray([.. VisitSegments.Select((v, i) => (JsonNode)new JsonObject { ["id"] = i, ["transcript"] = v.Text, ["start_time"] = "0.0", ["end_time"] = "1.0", ["speaker_label"] = v.Speaker })]);
            }

            await response.WriteAsync(new JsonObject { ["jobName"] = request.PathAndQuery, ["results"] = results }.ToJsonString());
            return;
        }

        if (!SignatureValid(request))
        {
            BadSignatures++;
            response.StatusCode = 403;
            await response.WriteAsync("""{"__type":"InvalidSignatureException","message":"Signature does not match"}""");
            return;
        }

        var action = (request.Header("X-Amz-Target") ?? "").Replace("Transcribe.", "", StringComparison.Ordinal);
        Actions.Enqueue(action);
        var body = JsonNode.Parse(request.Body)!;
        var name = (string)body["TranscriptionJobName"]!;
        response.ContentType = "application/x-amz-json-1.1";
        switch (action)
        {
            case "StartTranscriptionJob":
                StartRequests.Enqueue(body.AsObject());
                if ((bool?)body["Settings"]?["ShowSpeakerLabels"] == true)
                {
                    _speakerJobs[name] = true;
                }

                var job = new JsonObject
                {
                    ["TranscriptionJobName"] = name,
                    ["TranscriptionJobStatus"] = "IN_PROGRESS",
                    ["LanguageCode"] = (string?)body["LanguageCode"],
                    ["MediaFormat"] = (string?)body["MediaFormat"],
                    ["Media"] = JsonNode.Parse(body["Media"]!.ToJsonString()),
                };
                Jobs[name] = job;
                await response.WriteAsync(new JsonObject { ["TranscriptionJob"] = JsonNode.Parse(job.ToJsonString()) }.ToJsonString());
                return;
            case "GetTranscriptionJob" when Jobs.TryGetValue(name, out var existing):
                // Done on the first poll after the start.
                if (FailNextJob)
                {
                    FailNextJob = false;
                    existing["TranscriptionJobStatus"] = "FAILED";
                    existing["FailureReason"] = "The media format could not be determined.";
                    await response.WriteAsync(new JsonObject { ["TranscriptionJob"] = JsonNode.Parse(existing.ToJsonString()) }.ToJsonString());
                    return;
                }

                existing["TranscriptionJobStatus"] = "COMPLETED";
                existing[nameof(Transcript)] = new JsonObject { ["TranscriptFileUri"] = new Uri(_server.BaseAddress, $"/transcripts/{name}.json").ToString() };
                await response.WriteAsync(new JsonObject { ["TranscriptionJob"] = JsonNode.Parse(existing.ToJsonString()) }.ToJsonString());
                return;
            case "DeleteTranscriptionJob":
                Jobs.TryRemove(name, out _);
                await response.WriteAsync("{}");
                return;
            default:
                response.StatusCode = 400;
                await response.WriteAsync("""{"__type":"BadRequestException","message":"The requested job couldn't be found."}""");
                return;
        }
    }

    private static bool SignatureValid(RecordedRequest request)
    {
        var authorization = request.Header("Authorization") ?? "";
        var date = request.Header("X-Amz-Date") ?? "";
        if (!authorization.StartsWith($"AWS4-HMAC-SHA256 Credential={AccessKey}/", StringComparison.Ordinal) || date.Length != 16)
        {
            return false;
        }

        const string signedHeaders = "content-type;host;x-amz-date;x-amz-target";
        var canonical = string.Join('\n',
            request.Method,
            request.PathAndQuery.Split('?')[0],
            "",
            $"content-type:{request.Header("Content-Type")}",
            $"host:{request.Header("Host")}",
            $"x-amz-date:{date}",
            $"x-amz-target:{request.Header("X-Amz-Target")}",
            "",
            signedHeaders,
            Convert.ToHexStringLower(SHA256.HashData(request.BodyBytes)));
        var signedAt = DateTime.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var region = authorization.Split('/')[2];
        return authorization == Maneiro.Infrastructure.Speech.SigV4.Authorization(AccessKey, SecretKey, signedAt, region, "transcribe", signedHeaders, canonical);
    }
}
