using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using OpenAI.Chat;

namespace Maneiro.Infrastructure.OpenAi;

/// <summary>Asks the model to turn an example letter into a template (strict JSON schema, one repair round). Its answer is not trusted: the caller scrubs it.</summary>
public sealed class TemplateProposer(IOptions<LlmOptions> options, PromptLibrary prompts, OpenAiClients clients) : ITemplateProposer
{
    public async Task<TemplateContent> ProposeAsync(string example, string language, CancellationToken cancellationToken)
    {
        var chat = clients.Client.GetChatClient(options.Value.Model);
        var chatOptions = new ChatCompletionOptions
        {
            Temperature = 0.2f,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("letter_template", BinaryData.FromString(prompts.TemplateSchema), jsonSchemaIsStrict: true),
        };
        List<ChatMessage> messages =
        [
            new SystemChatMessage(prompts.TemplatePrompt),
            new UserChatMessage("EXAMPLE LETTER:\n<<<\n" + example + "\n>>>"),
        ];
        var (proposal, _, _) = await StrictJsonChat.AskAsync(chat, messages, chatOptions, Parse, "writing service", "The template proposal came back malformed twice. Please try again.", cancellationToken);
        return new TemplateContent(proposal.Name, Enum.Parse<LetterKind>(proposal.Kind), language, proposal.Sections.Select(s => new TemplateSection(s.Heading, s.Instructions, s.FixedText)).ToList());
    }

    private static (Proposal? Value, IReadOnlyList<string> Errors) Parse(string json)
    {
        Proposal? proposal;
        try
        {
            proposal = JsonSerializer.Deserialize<Proposal>(json);
        }
        catch (JsonException ex)
        {
            return (null, [$"The answer is not valid JSON ({ex.Message})."]);
        }

        List<string> errors = [];
        if (proposal is null || proposal.Sections is not { Count: > 0 })
        {
            errors.Add("\"sections\" is empty.");
        }
        else if (!Enum.TryParse<LetterKind>(proposal.Kind, out _))
        {
            errors.Add("\"kind\" is not one of the listed values.");
        }

        return (errors.Count == 0 ? proposal : null, errors);
    }

    private sealed record Proposal(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("sections")] IReadOnlyList<ProposedSection> Sections);

    private sealed record ProposedSection(
        [property: JsonPropertyName("heading")] string Heading,
        [property: JsonPropertyName("instructions")] string Instructions,
        [property: JsonPropertyName("fixed_text")] string FixedText);
}
