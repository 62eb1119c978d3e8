using System.ClientModel;
using System.ClientModel.Primitives;
using Maneiro.Grains.Domain;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Audio;
using OpenAI.Chat;

namespace Maneiro.Grains.Services.Analysis;

public sealed record AnalyzerOutput(AnalysisDocument Document, int TokensUsed);

/// <summary>The analysis could not be produced; the message is for the user.</summary>
public sealed class AnalysisFailedException(string message) : Exception(message);

/// <summary>
/// Asks the LLM for the structured analysis through the OpenAI SDK with a strict JSON schema, validates the answer,
/// and sends the errors back once for repair. The SDK retries 429/5xx with backoff.
/// </summary>
public sealed class ClinicalAnalyzer(IOptions<LlmOptions> options, PromptLibrary prompts, OpenAiClients clients)
{

    public const string SourceTextStart = "SOURCE TEXT:\n<<<\n";

    public async Task<AnalyzerOutput> AnalyzeAsync(string sourceText, string specialty, CancellationToken cancellationToken)
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
            new UserChatMessage(SourceTextStart + sourceText + "\n>>>"),
        ];

        var tokens = 0;
        for (var round = 0; round < 2; round++)
        {
            ChatCompletion completion;
            try
            {
                completion = (await client.CompleteChatAsync(messages, chatOptions, cancellationToken)).Value;
            }
            catch (ClientResultException ex)
            {
                throw new AnalysisFailedException($"The analysis service refused the request ({ex.Status}). Please try again later.");
            }

            tokens += completion.Usage?.TotalTokenCount ?? 0;
            var text = completion.Content.Count > 0 ? completion.Content[0].Text : "";
            var (document, errors) = AnalysisDocument.Parse(text);
            if (document is not null && errors.Count == 0)
            {
                return new AnalyzerOutput(document, tokens);
            }

            messages.Add(new AssistantChatMessage(text));
            messages.Add(new UserChatMessage("Your answer has these problems; send the corrected JSON only:\n- " + string.Join("\n- ", errors)));
        }

        throw new AnalysisFailedException("The analysis came back malformed twice, so no result is shown. Please try again; if it keeps failing, contact support.");
    }

    public async Task<(string Text, int Seconds)> TranscribeAsync(Stream audio, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            var transcription = (await Client().GetAudioClient(options.Value.TranscriptionModel).TranscribeAudioAsync(
                audio,
                fileName,
                new AudioTranscriptionOptions { ResponseFormat = AudioTranscriptionFormat.Verbose },
                cancellationToken)).Value;
            return (transcription.Text, (int)Math.Ceiling(transcription.Duration?.TotalSeconds ?? 0));
        }
        catch (ClientResultException ex)
        {
            throw new AnalysisFailedException($"The transcription service refused the audio ({ex.Status}). Please try again later.");
        }
    }

    private OpenAIClient Client() => clients.Client;
}
