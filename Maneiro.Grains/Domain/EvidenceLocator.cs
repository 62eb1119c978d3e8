using System.Text;

namespace Maneiro.Grains.Domain;

/// <summary>Finds a diagnosis' quoted evidence in the extracted text, ignoring case, spacing and line breaks.</summary>
public static class EvidenceLocator
{
    public static bool Found(string quote, string sourceText)
    {
        var needle = Normalize(quote);
        return needle.Length >= 3 && Normalize(sourceText).Contains(needle, StringComparison.Ordinal);
    }

    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            // Quotes and dashes vary between the model and OCR; compare them as plain characters.
            builder.Append(c switch
            {
                '\u2018' or '\u2019' => '\'',
                '\u201C' or '\u201D' => '"',
                '\u2013' or '\u2014' => '-',
                _ => char.ToLowerInvariant(c),
            });
        }

        return builder.ToString();
    }
}
