using System.ClientModel;
using Maneiro.Grains.Domain;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Audio;
using OpenAI.Chat;

namespace Maneiro.Infrastructure.OpenAi;

/// <summary>
/// Asks the LLM for the structured analysis through the OpenAI SDK with a strict JSON schema, validates the answer,
/// and sends the errors back once for repair. The SDK retries 429/5xx with backoff.
/// </summary>
public sealed class ClinicalAnalyzer(IOptions<LlmOptions> options, PromptLibrary prompts, OpenAiClients clients) : IClinicalAnalyzer
{
    public const string SourceTextStart = "SOURCE TEXT:\n<<<\n";

    public async Task<AnalyzerOutput> AnalyzeAsync(string text, string specialty, CancellationToken cancellationToken)
    {
        var client = Client().GetChatClient(options.Value.Model);
        var chatOptions = new ChatCompletionOptions
        {
            Temperature = 0.1f,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("clinical_analysis", BinaryData.FromString(prompts.Schema), jsonSchemaIsStrict: true),
        };
        List<ChatMessage> messages =
        [
            new SystemChatMessage(prompts.SystemPrompt(specialty)),
            new UserChatMessage(SourceTextStart + text + "\n>>>"),
        ];

        var (document, _, tokens) = await StrictJsonChat.AskAsync(
            client,
            messages,
            chatOptions,
            json => AnalysisDocument.Parse(json) is var (parsed, errors) && errors.Count == 0 ? (parsed, errors) : (null, errors),
            "analysis service",
            "The analysis came back malformed twice, so no result is shown. Please try again; if it keeps failing, contact support.",
            cancellationToken);
        return new AnalyzerOutput(document, tokens);
    }

    public async Task<CodeRepairOutput> RepairCodesAsync(IReadOnlyList<CodeToRepair> codes, CancellationToken cancellationToken)
    {
        var client = Client().GetChatClient(options.Value.Model);
        var chatOptions = new ChatCompletionOptions
        {
            Temperature = 0f,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("icd10_code_repair", BinaryData.FromString(prompts.CodeRepairSchema), jsonSchemaIsStrict: true),
        };
        var question = new System.Text.StringBuilder("CODES:\n");
        foreach (var code in codes)
        {
            question.Append("- ").Append(code.Code).Append(" for \"").Append(code.Diagnosis).Append("\": ").Append(code.Problem).Append('\n');
            foreach (var option in code.Options)
            {
                question.Append("    option: ").Append(option).Append('\n');
            }
        }

        List<ChatMessage> messages = [new SystemChatMessage(prompts.CodeRepairPrompt), new UserChatMessage(question.ToString())];
        var (repairs, _, tokens) = await StrictJsonChat.AskAsync(
            client,
            messages,
            chatOptions,
            ParseRepairs,
            "analysis service",
            "The code check came back malformed twice. Please try again.",
            cancellationToken);
        return new CodeRepairOutput(repairs, tokens);
    }

    private static (IReadOnlyList<CodeRepair>? Value, IReadOnlyList<string> Errors) ParseRepairs(string json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            var repairs = document.RootElement.GetProperty("repairs").EnumerateArray()
                .Select(r => new CodeRepair(r.GetProperty("from").GetString() ?? "", r.GetProperty("to").GetString() ?? ""))
                .ToList();
            return (repairs, []);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, ["The answer must be an object with a \"repairs\" array of {\"from\", \"to\"} strings."]);
        }
    }

    /// <summary>
    /// A dictation through the transcription model; a live visit through the diarizing model, its speakers labelled.
    /// The language, when chosen, is passed on; otherwise the service detects it.
    /// </summary>
    public async Task<Transcription> TranscribeAsync(Stream audio, string fileName, SpeechOptions? speech, CancellationToken cancellationToken)
    {
        try
        {
            var language = string.IsNullOrEmpty(speech?.Language) ? null : speech.Language;
            if (speech?.LiveVisit == true)
            {
                // The diarizing call is marked experimental in this SDK; it is the only way to get speaker labels from it.
#pragma warning disable OPENAI001
                var diarized = (await Client().GetAudioClient(options.Value.DiarizationModel).TranscribeAudioDiarizedAsync(
                    audio,
                    fileName,
                    new AudioTranscriptionOptions { ResponseFormat = AudioTranscriptionFormat.Diarized, Language = language, ChunkingStrategy = AudioTranscriptionDefaultChunkingStrategy.Auto },
                    cancellationToken)).Value;
#pragma warning restore OPENAI001
                var turns = SpeakerTranscript.Format(diarized.Segments.Select(s => (s.SpeakerLabel ?? "", s.Text ?? "")));
                return new Transcription(turns.Length > 0 ? turns : diarized.Text ?? "", (int)Math.Ceiling(diarized.Duration.TotalSeconds), turns.Length > 0);
            }

            var transcription = (await Client().GetAudioClient(options.Value.TranscriptionModel).TranscribeAudioAsync(
                audio,
                fileName,
                new AudioTranscriptionOptions { ResponseFormat = AudioTranscriptionFormat.Verbose, Language = language },
                cancellationToken)).Value;
            return new Transcription(transcription.Text, (int)Math.Ceiling(transcription.Duration?.TotalSeconds ?? 0));
        }
        catch (ClientResultException ex)
        {
            throw new JobFailedException($"The transcription service refused the audio ({ex.Status}). Please try again later.");
        }
    }

    private OpenAIClient Client() => clients.Client;
}
