using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Maneiro.Testing;

/// <summary>
/// A local server speaking OpenAI's chat-completions and audio-transcriptions wire format. Tests queue the model's
/// answers; each chat request takes the next one (the last repeats). The real OpenAI SDK talks to it.
/// </summary>
public sealed class FakeOpenAi : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Queue<string> _answers = new();
    private string _last = "{}";
    private readonly Queue<string> _letters = new();
    private string _repairs = "{\"repairs\":[]}";
    private string _lastLetter = "{}";
    private FakeHttpServer _server = null!;

    public int ChatCalls { get; private set; }

    public int AudioCalls { get; private set; }

    /// <summary>The real API refuses audio requests over 25 MB with 413.</summary>
    public const long MaxAudioRequestBytes = 25L * 1024 * 1024;

    /// <summary>The file name and request size of the last transcription request.</summary>
    public (string FileName, long Bytes) LastAudio { get; private set; }

    /// <summary>Chat requests that asked for a letter (the "clinical_letter" schema).</summary>
    public int LetterCalls { get; private set; }

    public List<string> LetterRequests { get; } = [];

    /// <summary>Requests for a template made from an example letter, and the model's answer to them.</summary>
    public List<string> TemplateRequests { get; } = [];

    public string TemplateAnswer { get; set; } = "{}";

    public List<string> ChatRequests { get; } = [];

    /// <summary>Delay before answering a chat request: a slow model, for benchmarks. Tests hold the gate instead.</summary>
    public TimeSpan ChatDelay { get; set; } = TimeSpan.Zero;

    private readonly RequestGate _requestGate = new();

    /// <summary>Requests (chat and audio) waiting at the closed gate right now.</summary>
    public int HeldRequests => _requestGate.Held;

    /// <summary>Closes the gate: every chat and audio request from now on waits until <see cref="Release"/>.</summary>
    public void Hold() => _requestGate.Hold();

    /// <summary>Opens the gate: held requests are answered, and new ones are not held.</summary>
    public void Release() => _requestGate.Release();

    /// <summary>Waits until at least <paramref name="count"/> requests are held at the gate.</summary>
    public Task WaitUntilHeldAsync(int count = 1) => _requestGate.WaitUntilHeldAsync(count, "model");

    private Task PassGateAsync() => _requestGate.PassAsync();

    public string Transcript { get; set; } = "Patient reports blurred vision in the right eye.";

    /// <summary>What the diarizing model hears in a live visit: segments with the speaker labels it gives ("A", "B").</summary>
    public IReadOnlyList<(string Speaker, string Text)> VisitSegments { get; set; } =
        [("A", "What brings you in today?"), ("B", "My right eye has been blurry for a week."), ("B", "It is worse at night."), ("A", "Any pain?")];

    /// <summary>The form fields (model, language, response_format…) of every transcription request, in order.</summary>
    public List<IReadOnlyDictionary<string, string>> TranscriptionRequests { get; } = [];

    public Uri Endpoint => new(_server.BaseAddress, "/v1/");

    public static async Task<FakeOpenAi> StartAsync()
    {
        var fake = new FakeOpenAi();
        fake._server = await FakeHttpServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    /// <summary>Replaces the queued answers with these, in order (the last one repeats).</summary>
    public void Answer(params string[] answers)
    {
        lock (_gate)
        {
            _answers.Clear();
            foreach (var answer in answers)
            {
                _answers.Enqueue(answer);
            }
        }
    }

    /// <summary>Replaces the queued letter drafts (requests with the letter schema), in order; the last one repeats.</summary>
    /// <summary>Code-repair requests (the "icd10_code_repair" schema) made so far.</summary>
    public List<string> RepairRequests { get; } = [];

    /// <summary>What the model answers when asked to correct codes (by default: nothing corrected).</summary>
    public void AnswerRepairs(params (string From, string To)[] repairs) =>
        _repairs = new JsonObject { ["repairs"] = new JsonArray(repairs.Select(r => (JsonNode)new JsonObject { ["from"] = r.From, ["to"] = r.To }).ToArray()) }.ToJsonString();

    /// <summary>Triage requests (the "clinical_triage" schema) made so far, as sent.</summary>
    public List<string> TriageRequests { get; } = [];

    private Func<string, string> _triage = _ => "{}";

    /// <summary>How the model triages: an answer computed from the request (the document's text is in it), so a batch read in any order gets its own answers.</summary>
    public void AnswerTriage(Func<string, string> answer) => _triage = answer;

    public void AnswerLetters(params string[] answers)
    {
        lock (_gate)
        {
            _letters.Clear();
            foreach (var answer in answers)
            {
                _letters.Enqueue(answer);
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _answers.Clear();
            ChatCalls = 0;
            AudioCalls = 0;
            ChatRequests.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return _server.DisposeAsync();
    }

    private async Task HandleAsync(RecordedRequest request, HttpResponse response)
    {
        if (request.PathAndQuery.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            string content;
            lock (_gate)
            {
                ChatCalls++;
                if (request.Body.Contains("\"clinical_triage\"", StringComparison.Ordinal))
                {
                    TriageRequests.Add(request.Body);
                    content = _triage(request.Body);
                }
                else if (request.Body.Contains("\"icd10_code_repair\"", StringComparison.Ordinal))
                {
                    RepairRequests.Add(request.Body);
                    content = _repairs;
                }
                else if (request.Body.Contains("\"letter_template\"", StringComparison.Ordinal))
                {
                    TemplateRequests.Add(request.Body);
                    content = TemplateAnswer;
                }
                else if (request.Body.Contains("\"clinical_letter\"", StringComparison.Ordinal))
                {
                    LetterCalls++;
                    LetterRequests.Add(request.Body);
                    content = _letters.Count > 0 ? _letters.Dequeue() : _lastLetter;
                    _lastLetter = content;
                }
                else
                {
                    ChatRequests.Add(request.Body);
                    content = _answers.Count > 0 ? _answers.Dequeue() : _last;
                    _last = content;
                }
            }

            await PassGateAsync();
            if (ChatDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChatDelay);
            }

            var body = new JsonObject
            {
                ["id"] = "chatcmpl-test",
                ["object"] = "chat.completion",
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["model"] = "gpt-4.1",
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = null },
                    ["finish_reason"] = "stop",
                    ["logprobs"] = null,
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 1200, ["completion_tokens"] = 300, ["total_tokens"] = 1500 },
            };
            response.ContentType = "application/json";
            await response.WriteAsync(body.ToJsonString());
            return;
        }

        if (request.PathAndQuery.EndsWith("/audio/transcriptions", StringComparison.Ordinal))
        {
            lock (_gate)
            {
                AudioCalls++;
            }

            await PassGateAsync();

            var fileName = System.Text.RegularExpressions.Regex.Match(request.Body, "filename=\"?([^\";\r\n]+)").Groups[1].Value;
            lock (_gate)
            {
                LastAudio = (fileName, request.BodyBytes.Length);
            }

            if (request.BodyBytes.Length > MaxAudioRequestBytes)
            {
                response.StatusCode = 413;
                await response.WriteAsync("""{"error":{"message":"Maximum content size limit (26214400) exceeded.","type":"server_error"}}""");
                return;
            }

            // The SDK sends the audio as multipart form data; refuse anything without a file part, as the real API does.
            if (!request.Body.Contains("filename=", StringComparison.Ordinal))
            {
                response.StatusCode = 400;
                await response.WriteAsync("""{"error":{"message":"No file","type":"invalid_request_error"}}""");
                return;
            }

            var fields = System.Text.RegularExpressions.Regex.Matches(request.Body, "name=\"?([a-z_]+)\"?\r\n(?:[^\r\n]+\r\n)*\r\n([^\r\n]*)")
                .Where(m => m.Groups[1].Value != "file")
                .GroupBy(m => m.Groups[1].Value)
                .ToDictionary(g => g.Key, g => g.First().Groups[2].Value, StringComparer.Ordinal);
            lock (_gate)
            {
                TranscriptionRequests.Add(fields);
            }

            response.ContentType = "application/json";
            if (fields.GetValueOrDefault("response_format") == "diarized_json")
            {
                var at = 0.0;
                var segments = VisitSegments.Select((s, i) => new { type = "transcript.text.segment", id = $"seg_{i}", start = at, end = at += 2.0, text = s.Text, speaker = s.Speaker }).ToList();
                await response.WriteAsync(JsonSerializer.Serialize(new { task = "transcribe", duration = at, text = string.Join(' ', VisitSegments.Select(s => s.Text)), segments, usage = new { type = "duration", seconds = (int)at } }));
                return;
            }

            await response.WriteAsync(JsonSerializer.Serialize(new { task = "transcribe", language = "english", duration = 4.2, text = Transcript, segments = Array.Empty<object>(), words = Array.Empty<object>() }));
            return;
        }

        response.StatusCode = 404;
    }
}
