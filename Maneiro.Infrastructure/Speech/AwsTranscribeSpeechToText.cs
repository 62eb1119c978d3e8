using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Maneiro.Grains.Domain;

namespace Maneiro.Infrastructure.Speech;

public sealed class AwsTranscribeOptions
{
    public required string Region { get; init; }

    /// <summary>The bucket the uploads live in (the S3 blob store's): Transcribe reads the audio from there.</summary>
    public required string Bucket { get; init; }

    public string? ServiceUrl { get; init; }

    public required AWSCredentials Credentials { get; init; }

    public string LanguageCode { get; init; } = "en-US";

    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan FirstPoll { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// AWS Transcribe over its JSON API (AWSSDK.TranscribeService is not available): StartTranscriptionJob on the audio
/// in S3, GetTranscriptionJob polled with backoff, the transcript fetched, and the job deleted (it holds PHI).
/// Requests are signed with Signature V4 through AWSSDK.Core.
/// </summary>
public sealed class AwsTranscribeSpeechToText(HttpClient http, AwsTranscribeOptions options, TimeProvider time) : ISpeechToText
{
    private const string Service = "transcribe";

    public async Task<Transcription> TranscribeAsync(string blobKey, string mediaType, SpeechOptions? speech, CancellationToken cancellationToken)
    {
        // Deterministic per upload, so a resumed job finds the job it started instead of starting another.
        var name = "maneiro-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobKey)))[..32];
        var job = new JsonObject
        {
            ["TranscriptionJobName"] = name,
            ["MediaFormat"] = AudioFormats.TranscribeFormat(mediaType),
            ["Media"] = new JsonObject { ["MediaFileUri"] = $"s3://{options.Bucket}/{blobKey}" },
        };
        if (speech is null)
        {
            job["LanguageCode"] = options.LanguageCode;
        }
        else if (TranscribeLanguage(speech.Language) is { } code)
        {
            job["LanguageCode"] = code;
        }
        else
        {
            // "Detect automatically": among the languages offered.
            job["IdentifyLanguage"] = true;
            job["LanguageOptions"] = new JsonArray([.. SpeechOptions.Languages.Select(l => TranscribeLanguage(l.Code)).OfType<string>().Select(c => (JsonNode)c)]);
        }

        if (speech?.LiveVisit == true)
        {
            job["Settings"] = new JsonObject { ["ShowSpeakerLabels"] = true, ["MaxSpeakerLabels"] = MaxSpeakers };
        }

        var start = await CallAsync("StartTranscriptionJob", job, cancellationToken, allowConflict: true);

        try
        {
            var transcription = await WaitForTranscriptAsync(name, start?["TranscriptionJob"], cancellationToken);
            await DeleteJobAsync(name);
            return transcription;
        }
        catch (Exception ex) when (ex is not HttpRequestException)
        {
            // Failed, timed out, canceled or deleted with its analysis: the job (it holds the transcript) goes too. A
            // service hiccup keeps it, so the retry continues with it instead of transcribing again.
            await DeleteJobAsync(name);
            throw;
        }
    }

    private async Task<Transcription> WaitForTranscriptAsync(string name, JsonNode? job, CancellationToken cancellationToken)
    {
        var delay = options.FirstPoll;
        var deadline = time.GetUtcNow() + options.MaxWait;
        while (true)
        {
            var status = (string?)job?["TranscriptionJobStatus"];
            if (status == "COMPLETED")
            {
                break;
            }

            if (status == "FAILED")
            {
                throw new JobFailedException($"The transcription service could not read this recording ({(string?)job?["FailureReason"] ?? "no reason given"}).");
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new JobFailedException("The transcription service took too long with this recording. Please try again later.");
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            job = (await CallAsync("GetTranscriptionJob", new JsonObject { ["TranscriptionJobName"] = name }, cancellationToken))?["TranscriptionJob"];
        }

        var transcriptUri = (string?)job?["Transcript"]?["TranscriptFileUri"] ?? throw new InvalidOperationException("Transcribe returned no transcript location.");
        using var transcript = JsonDocument.Parse(await http.GetStringAsync(new Uri(transcriptUri), cancellationToken));
        var results = transcript.RootElement.GetProperty("results");
        var text = string.Join(' ', results.GetProperty("transcripts").EnumerateArray().Select(t => t.GetProperty("transcript").GetString()));
        var seconds = results.TryGetProperty("items", out var items)
            ? items.EnumerateArray().Where(i => i.TryGetProperty("end_time", out _)).Select(i => double.Parse(i.GetProperty("end_time").GetString()!, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max()
            : 0;

        // With speaker labels, the audio segments say who said each part.
        if (results.TryGetProperty("audio_segments", out var segments) && segments.EnumerateArray().Any(s => s.TryGetProperty("speaker_label", out _)))
        {
            var turns = SpeakerTranscript.Format(segments.EnumerateArray().Select(s => (s.TryGetProperty("speaker_label", out var l) ? l.GetString() ?? "" : "", s.GetProperty("transcript").GetString() ?? "")));
            return new Transcription(turns, (int)Math.Ceiling(seconds), true);
        }

        return new Transcription(text, (int)Math.Ceiling(seconds));
    }

    private const int MaxSpeakers = 4;

    /// <summary>Transcribe's language code for an offered language, or null for "detect automatically".</summary>
    private static string? TranscribeLanguage(string? code) => code switch
    {
        "en" => "en-US",
        "es" => "es-US",
        "pt" => "pt-BR",
        "fr" => "fr-FR",
        _ => null,
    };

    private async Task DeleteJobAsync(string name)
    {
        try
        {
            await CallAsync("DeleteTranscriptionJob", new JsonObject { ["TranscriptionJobName"] = name }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or JobFailedException or TaskCanceledException)
        {
            // Best effort: the outcome stands; Transcribe's own retention removes what is left.
        }
    }

    private async Task<JsonNode?> CallAsync(string action, JsonObject body, CancellationToken cancellationToken, bool allowConflict = false)
    {
        var endpoint = new Uri(options.ServiceUrl ?? $"https://transcribe.{options.Region}.amazonaws.com/");
        var payload = body.ToJsonString();
        var now = time.GetUtcNow().UtcDateTime;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var target = "Transcribe." + action;
        const string contentType = "application/x-amz-json-1.1";
        const string signedHeaders = "content-type;host;x-amz-date;x-amz-target";
        var canonical = string.Join('\n',
            "POST",
            endpoint.AbsolutePath,
            "",
            $"content-type:{contentType}",
            $"host:{host}",
            $"x-amz-date:{amzDate}",
            $"x-amz-target:{target}",
            "",
            signedHeaders,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload))));
        var credentials = await options.Credentials.GetCredentialsAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(payload, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", SigV4.Authorization(credentials.AccessKey, credentials.SecretKey, now, options.Region, Service, signedHeaders, canonical));
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (allowConflict && response.StatusCode == System.Net.HttpStatusCode.BadRequest && text.Contains("ConflictException", StringComparison.Ordinal))
        {
            // Started before a crash: continue with the existing job.
            return await CallAsync("GetTranscriptionJob", new JsonObject { ["TranscriptionJobName"] = body["TranscriptionJobName"]!.GetValue<string>() }, cancellationToken);
        }

        if ((int)response.StatusCode is 429 or >= 500)
        {
            throw new HttpRequestException($"Transcribe answered {(int)response.StatusCode}.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new JobFailedException("The transcription service refused the request. Please try again later.");
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
