using System.Text.Json;
using System.Text.Json.Serialization;

namespace Maneiro.Grains.Domain.Letters;

public sealed record LetterSection(
    [property: JsonPropertyName("heading")] string Heading,
    [property: JsonPropertyName("paragraphs")] IReadOnlyList<string> Paragraphs);

/// <summary>The model's answer for a letter, as the letter schema shapes it.</summary>
public sealed record LetterDraft(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("salutation")] string Salutation,
    [property: JsonPropertyName("sections")] IReadOnlyList<LetterSection> Sections,
    [property: JsonPropertyName("closing")] string Closing)
{
    /// <summary>Parses and checks a draft; errors are phrased so they can be sent back to the model for repair.</summary>
    public static (LetterDraft? Draft, IReadOnlyList<string> Errors) Parse(string json)
    {
        LetterDraft? draft;
        try
        {
            draft = JsonSerializer.Deserialize<LetterDraft>(json);
        }
        catch (JsonException ex)
        {
            return (null, [$"The answer is not valid JSON ({ex.Message})."]);
        }

        if (draft is null)
        {
            return (null, ["The answer is empty."]);
        }

        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(draft.Subject))
        {
            errors.Add("\"subject\" is empty.");
        }

        if (draft.Sections is null || draft.Sections.Count == 0 || draft.Sections.All(s => s.Paragraphs is null || s.Paragraphs.All(string.IsNullOrWhiteSpace)))
        {
            errors.Add("\"sections\" has no paragraphs.");
        }

        return (errors.Count == 0 ? draft : null, errors);
    }
}
