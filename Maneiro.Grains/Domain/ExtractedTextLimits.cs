using System.Globalization;

namespace Maneiro.Grains.Domain;

/// <summary>How much of a document's text one analysis reads.</summary>
public static class ExtractedTextLimits
{
    /// <summary>About 60 pages of dense notes: enough for a clinical document, bounded for the model and the grain's state.</summary>
    public const int MaxAnalysedCharacters = 120_000;

    public static string Notice(int fullLength) => string.Create(
        CultureInfo.InvariantCulture,
        $"This document's text is {fullLength:N0} characters long; only the first {MaxAnalysedCharacters:N0} were analysed. Split the document to analyse the rest.");
}
