using System.Text;

namespace Maneiro.Grains.Domain.Letters;

public enum LetterBlockKind
{
    Heading,
    Paragraph,
}

public sealed record LetterBlock(LetterBlockKind Kind, string Text);

/// <summary>
/// The letter's editable text format: plain paragraphs separated by blank lines, and headings on a line of their own
/// starting with "## ". Simple enough to edit in a text box, structured enough to lay out as a PDF.
/// </summary>
public static class LetterBody
{
    public const string HeadingMark = "## ";

    public const int MaxLength = 40_000;

    public static string Write(LetterDraft draft)
    {
        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(draft.Salutation))
        {
            text.Append(draft.Salutation.Trim()).Append("\n\n");
        }

        foreach (var section in draft.Sections)
        {
            if (!string.IsNullOrWhiteSpace(section.Heading))
            {
                text.Append(HeadingMark).Append(OneLine(section.Heading)).Append("\n\n");
            }

            foreach (var paragraph in section.Paragraphs.Where(p => !string.IsNullOrWhiteSpace(p)))
            {
                text.Append(paragraph.Trim()).Append("\n\n");
            }
        }

        if (!string.IsNullOrWhiteSpace(draft.Closing))
        {
            text.Append(draft.Closing.Trim()).Append('\n');
        }

        return text.ToString().TrimEnd() + "\n";
    }

    public static IReadOnlyList<LetterBlock> Parse(string body)
    {
        List<LetterBlock> blocks = [];
        var paragraph = new List<string>();
        void Flush()
        {
            if (paragraph.Count > 0)
            {
                blocks.Add(new LetterBlock(LetterBlockKind.Paragraph, string.Join('\n', paragraph)));
                paragraph.Clear();
            }
        }

        foreach (var raw in body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith(HeadingMark, StringComparison.Ordinal))
            {
                Flush();
                blocks.Add(new LetterBlock(LetterBlockKind.Heading, line[HeadingMark.Length..].Trim()));
            }
            else if (line.Length == 0)
            {
                Flush();
            }
            else
            {
                paragraph.Add(line);
            }
        }

        Flush();
        return blocks;
    }

    /// <summary>Normalizes what the owner typed: line endings, control characters and length.</summary>
    public static string Clean(string body)
    {
        var text = new StringBuilder(body.Length);
        foreach (var c in body.Replace("\r\n", "\n", StringComparison.Ordinal))
        {
            if (c == '\n' || c == '\t' || !char.IsControl(c))
            {
                text.Append(c == '\t' ? ' ' : c);
            }
        }

        return text.ToString().Trim() + "\n";
    }

    public static string OneLine(string text) => string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
