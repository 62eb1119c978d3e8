using System.Text;
using Maneiro.Grains.Domain.Letters;
using Microsoft.Extensions.Options;
using OpenAI.Chat;

namespace Maneiro.Infrastructure.OpenAi;


/// <summary>Drafts a letter through the OpenAI SDK with a strict JSON schema, from the analysis context only; one repair round.</summary>
public sealed class LetterWriter(IOptions<LlmOptions> options, PromptLibrary prompts, OpenAiClients clients) : ILetterWriter
{
    public async Task<LetterWriterOutput> DraftAsync(LetterRequest request, LetterContext context, CancellationToken cancellationToken)
    {
        var language = LetterLanguage.Get(request.Language);
        var chat = clients.Client.GetChatClient(options.Value.Model);
        var chatOptions = new ChatCompletionOptions
        {
            Temperature = 0.3f,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("clinical_letter", BinaryData.FromString(prompts.LetterSchema), jsonSchemaIsStrict: true),
        };
        List<ChatMessage> messages =
        [
            new SystemChatMessage(prompts.LetterPrompt(request.Kind, language.Name, request.Options) + (request.Template is { } template ? "\n" + TemplateFill.Guidance(template) + "\n" : "")),
            new UserChatMessage(Describe(request, context)),
        ];

        var (_, json, tokens) = await StrictJsonChat.AskAsync(
            chat,
            messages,
            chatOptions,
            LetterDraft.Parse,
            "writing service",
            "The letter came back malformed twice, so no draft was saved. Please try again.",
            cancellationToken);
        return new LetterWriterOutput(json, tokens);
    }

    /// <summary>The user message: the recipient and the analysis facts, with numbered references and the allowed codes.</summary>
    internal static string Describe(LetterRequest request, LetterContext context)
    {
        var text = new StringBuilder();
        text.Append("RECIPIENT: ").Append(request.Recipient.Name);
        if (!string.IsNullOrWhiteSpace(request.Recipient.Specialty))
        {
            text.Append(", ").Append(request.Recipient.Specialty);
        }

        if (!string.IsNullOrWhiteSpace(request.Recipient.Clinic))
        {
            text.Append(", ").Append(request.Recipient.Clinic);
        }

        if (request.Options?.DenialReason is { } denial)
        {
            // The insurer's words, quoted by the appeal; data, not instructions.
            text.Append("\n\nDENIAL REASON:\n<<<\n").Append(denial).Append("\n>>>");
        }

        text.Append("\n\nANALYSIS CONTEXT:\n<<<\n");
        text.Append("Patient: ").Append(context.PatientName).Append('\n');
        text.Append("Specialty: ").Append(context.Specialty).Append('\n');
        text.Append("Summary: ").Append(context.Summary).Append('\n');
        text.Append("Summary for the patient: ").Append(context.PatientSummary).Append('\n');
        text.Append("Diagnoses:\n");
        foreach (var d in context.Diagnoses)
        {
            text.Append("- ").Append(d).Append('\n');
        }

        text.Append("Plan:\n");
        foreach (var p in context.Plan)
        {
            text.Append("- ").Append(p).Append('\n');
        }

        text.Append(">>>\n\nCODES:\n");
        foreach (var c in Maneiro.Grains.Domain.Letters.LetterCodes.Billable(context))
        {
            text.Append("- ").Append(c.Code).Append(": ").Append(c.OfficialDescription ?? c.Description).Append('\n');
        }

        text.Append("\nREFERENCES:\n");
        foreach (var r in context.References)
        {
            text.Append('[').Append(r.Number).Append("] ").Append(r.Title).Append(" (").Append(r.Journal).Append(", ").Append(r.Year).Append(")\n");
        }

        return text.ToString();
    }
}
