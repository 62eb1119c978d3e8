using System.Text.RegularExpressions;

namespace Maneiro.Grains.Domain.Letters;

/// <summary>Flesch–Kincaid grade level of English text, with a vowel-group syllable count: an estimate, good enough to flag a hard summary.</summary>
public static partial class ReadingLevel
{
    public static double FleschKincaidGrade(string text)
    {
        var words = WordPattern().Matches(text).Select(m => m.Value).ToList();
        if (words.Count == 0)
        {
            return 0;
        }

        var sentences = Math.Max(1, SentenceEnd().Count(text));
        var syllables = words.Sum(Syllables);
        return Math.Round((0.39 * words.Count / sentences) + (11.8 * syllables / words.Count) - 15.59, 1);
    }

    internal static int Syllables(string word)
    {
        var w = word.ToLowerInvariant();
        if (w.Length <= 3)
        {
            return 1;
        }

        if (w.EndsWith('e') && !w.EndsWith("le", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        return Math.Max(1, VowelGroup().Count(w));
    }

    [GeneratedRegex(@"[A-Za-z]+(?:'[A-Za-z]+)?")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"[.!?]+(\s|$)")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex("[aeiouy]+")]
    private static partial Regex VowelGroup();
}
