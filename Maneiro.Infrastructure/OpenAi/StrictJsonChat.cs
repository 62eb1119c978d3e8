using System.ClientModel;
using OpenAI.Chat;

namespace Maneiro.Infrastructure.OpenAi;

/// <summary>
/// Asks a chat model for JSON in a strict schema and checks the answer with our own parser; an answer that fails the
/// checks is sent back once with its problems for repair. The SDK retries 429/5xx itself; a refusal is final.
/// </summary>
internal static class StrictJsonChat
{
    private const int Rounds = 2;

    /// <param name="parse">The checked value, or null with the problems to send back.</param>
    /// <param name="service">What the user calls the service in a refusal message ("analysis service").</param>
    /// <param name="malformed">The message when both rounds failed the checks.</param>
    public static async Task<(T Value, string Json, int Tokens)> AskAsync<T>(
        ChatClient chat,
        List<ChatMessage> messages,
        ChatCompletionOptions options,
        Func<string, (T? Value, IReadOnlyList<string> Errors)> parse,
        string service,
        string malformed,
        CancellationToken cancellationToken)
        where T : class
    {
        var tokens = 0;
        for (var round = 0; round < Rounds; round++)
        {
            ChatCompletion completion;
            try
            {
                completion = (await chat.CompleteChatAsync(messages, options, cancellationToken)).Value;
            }
            catch (ClientResultException ex)
            {
                throw new JobFailedException($"The {service} refused the request ({ex.Status}). Please try again later.");
            }

            tokens += completion.Usage?.TotalTokenCount ?? 0;
            var answer = completion.Content.Count > 0 ? completion.Content[0].Text : "";
            var (value, errors) = parse(answer);
            if (value is not null)
            {
                return (value, answer, tokens);
            }

            messages.Add(new AssistantChatMessage(answer));
            messages.Add(new UserChatMessage("Your answer has these problems; send the corrected JSON only:\n- " + string.Join("\n- ", errors)));
        }

        throw new JobFailedException(malformed);
    }
}
