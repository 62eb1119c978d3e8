using System.Globalization;
using System.Text;

namespace Maneiro.Grains.Domain;

/// <summary>
/// A live visit's transcript as the reviewer and the model read it: one paragraph per turn, "Speaker 1: …", speakers
/// numbered in the order they first speak whatever the service calls them ("A", "spk_0"), and consecutive segments of
/// one speaker joined into one turn.
/// </summary>
public static class SpeakerTranscript
{
    public static string Format(IEnumerable<(string Speaker, string Text)> segments)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var turns = new List<(int Speaker, StringBuilder Text)>();
        foreach (var (speaker, text) in segments)
        {
            var words = text.Trim();
            if (words.Length == 0)
            {
                continue;
            }

            if (!numbers.TryGetValue(speaker, out var number))
            {
                number = numbers.Count + 1;
                numbers[speaker] = number;
            }

            if (turns.Count > 0 && turns[^1].Speaker == number)
            {
                turns[^1].Text.Append(' ').Append(words);
            }
            else
            {
                turns.Add((number, new StringBuilder(words)));
            }
        }

        return string.Join("\n\n", turns.Select(t => string.Create(CultureInfo.InvariantCulture, $"Speaker {t.Speaker}: {t.Text}")));
    }
}
