namespace Maneiro.Grains.Domain;

/// <summary>Whether a PDF's text layer is worth using, or the document needs OCR (scans often carry a few stray characters).</summary>
public static class MeaningfulText
{
    public const int MinimumCharacters = 250;
    public const double MinimumLetterShare = 0.25;

    public static bool IsMeaningful(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var visible = text.Count(c => !char.IsWhiteSpace(c));
        var letters = text.Count(char.IsLetter);
        return visible >= MinimumCharacters && letters >= MinimumLetterShare * visible;
    }
}
