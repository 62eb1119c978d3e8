namespace Maneiro.Grains.Domain.Jobs;

/// <summary>What a reviewed transcript may be: not empty, and no longer than the model is ever sent.</summary>
public static class TranscriptEdit
{
    public const string Empty = "The transcript is empty. Type what was said, or discard the recording.";

    /// <summary>Line endings as the browser may send them (CRLF) made one kind, outer whitespace trimmed.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim();

    /// <summary>Why the edited transcript cannot be analyzed, or null when it can.</summary>
    public static string? Problem(string normalized) => normalized.Length switch
    {
        0 => Empty,
        > ExtractedTextLimits.MaxAnalysedCharacters => $"The transcript is limited to {ExtractedTextLimits.MaxAnalysedCharacters:N0} characters.",
        _ => null,
    };
}
