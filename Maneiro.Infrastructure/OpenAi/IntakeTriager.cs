using Maneiro.Grains.Domain.Inbox;
using Microsoft.Extensions.Options;
using OpenAI.Chat;

namespace Maneiro.Infrastructure.OpenAi;

/// <summary>Asks the model to triage an inbox document, in the strict triage schema, with one repair round.</summary>
public sealed class IntakeTriager(IOptions<LlmOptions> options, PromptLibrary prompts, OpenAiClients clients) : IIntakeTriager
{
    public async Task<TriageOutput> TriageAsync(string text, IReadOnlyList<string> clinicianEmails, CancellationToken cancellationToken)
    {
        var chatOptions = new ChatCompletionOptions
        {
            Temperature = 0f,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("clinical_triage", BinaryData.FromString(prompts.TriageSchema), jsonSchemaIsStrict: true),
        };
        var clinicians = clinicianEmails.Count == 0 ? "(none)" : string.Join("\n", clinicianEmails.Select(e => "- " + e));
        List<ChatMessage> messages =
        [
            new SystemChatMessage(prompts.TriagePrompt),
            new UserChatMessage("CLINICIANS:\n" + clinicians + "\n\nDOCUMENT:\n<<<\n" + text + "\n>>>"),
        ];
        var (document, _, tokens) = await StrictJsonChat.AskAsync(
            clients.Client.GetChatClient(options.Value.Model),
            messages,
            chatOptions,
            TriageDocument.Parse,
            "triage service",
            "The triage came back malformed twice. Open the item and fill in its fields, or upload it again.",
            cancellationToken);
        return new TriageOutput(document, tokens);
    }
}
