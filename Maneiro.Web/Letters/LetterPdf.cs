using System.Globalization;
using System.Text;
using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Maneiro.Web.Letters;

public sealed record LetterPdfInput(
    Letterhead Letterhead,
    LetterKind Kind,
    LetterLanguage Language,
    DateOnly Date,
    LetterRecipient Recipient,
    string PatientName,
    string Subject,
    string Body,
    IReadOnlyList<CodeEntry> Codes,
    IReadOnlyList<Reference> References,
    string? CodeTable = null,
    bool Draft = false);

/// <summary>
/// Lays a letter out on US Letter pages with PDFsharp: letterhead, date, recipient, the RE: line, the body with bold
/// headings and wrapped paragraphs across pages, an ICD-10 table on insurance letters, references, the signature, and
/// on every page "Page x of y" and the disclaimer. CPU work: callers run it off request threads' hot paths.
/// </summary>
public static class LetterPdf
{
    private const double Margin = 54;
    private const double FooterHeight = 22;
    private static readonly XBrush Ink = XBrushes.Black;
    private static readonly XBrush Muted = new XSolidBrush(XColor.FromArgb(90, 90, 90));
    private static readonly XBrush Alert = new XSolidBrush(XColor.FromArgb(176, 0, 32));

    /// <summary>Printed across every page of a letter no clinician has signed, and where the signature would be.</summary>
    public const string DraftMark = "DRAFT — NOT SIGNED";

    /// <summary>Lays the letter out; <paramref name="cancellationToken"/> is checked at every word, so a time budget can stop a long render.</summary>
    public static byte[] Render(LetterPdfInput input, CancellationToken cancellationToken = default)
    {
        BundledFonts.EnsureInstalled();
        using var document = new PdfDocument();
        document.Info.Title = LetterKinds.DisplayName(input.Kind);
        document.Info.Creator = "Maneiro";
        var writer = new PageWriter(document, input, cancellationToken);
        writer.Letterhead();
        writer.Opening();
        writer.Body();
        if (input.Kind == LetterKind.PriorAuthorization && input.Codes.Count > 0)
        {
            writer.CodeTable();
        }

        if (input.References.Count > 0)
        {
            writer.ReferenceList();
        }

        writer.Signature();
        writer.Footers();
        using var output = new MemoryStream();
        document.Save(output);
        return output.ToArray();
    }

    /// <summary>Places text top to bottom, opening a new page when the next line would not fit above the footer.</summary>
    private sealed class PageWriter
    {
        private readonly PdfDocument _document;
        private readonly LetterPdfInput _input;
        private readonly List<XGraphics> _pages = [];
        private readonly Dictionary<(XFont Font, char Character), double> _characterWidths = [];
        private readonly CancellationToken _cancellation;
        private readonly XFont _body = Font(10.5);
        private readonly XFont _bold = Font(10.5, XFontStyleEx.Bold);
        private readonly XFont _small = Font(8.5);
        private readonly XFont _title = Font(15, XFontStyleEx.Bold);
        private readonly XFont _italic = Font(8, XFontStyleEx.Italic);
        private XGraphics _g = null!;
        private double _y;
        private double _width;
        private double _bottom;

        public PageWriter(PdfDocument document, LetterPdfInput input, CancellationToken cancellation)
        {
            _document = document;
            _input = input;
            _cancellation = cancellation;
            NewPage();
        }

        private static XFont Font(double size, XFontStyleEx style = XFontStyleEx.Regular) =>
            new(BundledFonts.Family, size, style, new XPdfFontOptions(PdfFontEncoding.Unicode));

        public void Letterhead()
        {
            var head = _input.Letterhead;
            var textLeft = Margin;
            if (head.LogoPng is { Length: > 0 } logo)
            {
                using var image = XImage.FromStream(new MemoryStream(logo));
                var scale = Math.Min(140 / image.PointWidth, 56 / image.PointHeight);
                var (w, h) = (image.PointWidth * scale, image.PointHeight * scale);
                _g.DrawImage(image, Margin, _y, w, h);
                textLeft = Margin + w + 14;
            }

            var top = _y;
            var lines = new List<(string Text, XFont Font)>();
            if (!string.IsNullOrWhiteSpace(head.ClinicName))
            {
                lines.Add((head.ClinicName, _title));
            }

            foreach (var line in Lines(head.Address))
            {
                lines.Add((line, _small));
            }

            var contact = string.Join("   ", new[] { Label("Tel", head.Phone), Label("Fax", head.Fax), head.Email }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (contact.Length > 0)
            {
                lines.Add((contact, _small));
            }

            var y = top;
            foreach (var (text, font) in lines)
            {
                _g.DrawString(text, font, font == _small ? Muted : Ink, new XPoint(textLeft, y + font.GetHeight() * 0.8));
                y += font.GetHeight() + 1;
            }

            _y = Math.Max(y, top + (head.LogoPng is null ? 0 : 56)) + 8;
            _g.DrawLine(new XPen(XColor.FromArgb(160, 160, 160), 0.8), Margin, _y, Margin + _width, _y);
            _y += 16;
        }

        public void Opening()
        {
            var language = _input.Language;
            var culture = CultureInfo.GetCultureInfo(language.Culture);
            Line(_input.Date.ToString("D", culture), _body);
            Gap(10);
            if (_input.Kind == LetterKind.UrgentReferral)
            {
                Line(language.Urgent, _title, Alert);
                Gap(4);
            }

            var recipient = _input.Recipient;
            Line(recipient.Name, _bold);
            foreach (var line in new[] { recipient.Specialty, recipient.Clinic }.Concat(Lines(recipient.Address)).Where(s => !string.IsNullOrWhiteSpace(s)))
            {
                Line(line, _body);
            }

            Gap(12);
            Wrapped($"{language.Regarding} {_input.PatientName}", _bold);
            if (!string.IsNullOrWhiteSpace(_input.Subject))
            {
                Wrapped(_input.Subject, _bold);
            }

            Gap(10);
        }

        public void Body()
        {
            foreach (var block in LetterBody.Parse(_input.Body))
            {
                if (block.Kind == LetterBlockKind.Heading)
                {
                    Gap(4);
                    EnsureSpace(_bold.GetHeight() + (2 * _body.GetHeight()));
                    Wrapped(block.Text, _bold);
                    Gap(2);
                }
                else
                {
                    foreach (var line in block.Text.Split('\n'))
                    {
                        Wrapped(line, _body);
                    }

                    Gap(7);
                }
            }
        }

        public void CodeTable()
        {
            var language = _input.Language;
            Gap(6);
            EnsureSpace(4 * _body.GetHeight());
            Line(language.CodesHeading, _bold);
            Gap(2);
            const double codeWidth = 80;
            Row(language.CodeColumn, language.DescriptionColumn, _bold, codeWidth);
            _g.DrawLine(XPens.Gray, Margin, _y, Margin + _width, _y);
            _y += 3;
            foreach (var code in _input.Codes)
            {
                Row(code.Code, code.OfficialDescription ?? code.Description, _body, codeWidth);
            }

            if (_input.CodeTable is { } table)
            {
                Gap(2);
                Line($"Codes checked against {table}.", _small, Muted);
            }

            Gap(8);
        }

        public void ReferenceList()
        {
            Gap(6);
            EnsureSpace(3 * _body.GetHeight());
            Line(_input.Language.References, _bold);
            Gap(2);
            foreach (var r in _input.References)
            {
                Wrapped($"[{r.Number}] {r.Title} {r.Journal}. {r.Year}. PMID {r.Pmid}. {r.Url}", _small);
                Gap(2);
            }

            Gap(8);
        }

        public void Signature()
        {
            if (_input.Draft)
            {
                // No one's signature on a draft, only the mark (the watermark repeats it on every page).
                EnsureSpace(30 + _body.GetHeight());
                Gap(24);
                Line(DraftMark, _bold, Alert);
                return;
            }

            var head = _input.Letterhead;
            var lines = new List<string>();
            var provider = string.Join(", ", new[] { head.ProviderName, head.Credentials }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (provider.Length > 0)
            {
                lines.Add(provider);
            }

            lines.AddRange(Lines(head.SignatureBlock));
            if (lines.Count == 0)
            {
                return;
            }

            EnsureSpace(30 + (lines.Count * _body.GetHeight()));
            Gap(24);
            _g.DrawLine(XPens.Gray, Margin, _y, Margin + 180, _y);
            _y += 4;
            Line(lines[0], _bold);
            foreach (var line in lines.Skip(1))
            {
                Line(line, _body);
            }
        }

        /// <summary>Every page gets "Page x of y" and the disclaimer, once the page count is known.</summary>
        public void Footers()
        {
            var language = _input.Language;
            var pageHeight = _document.Pages[0].Height.Point;
            for (var i = 0; i < _pages.Count; i++)
            {
                var g = _pages[i];
                var y = pageHeight - Margin + 6;
                g.DrawLine(new XPen(XColor.FromArgb(200, 200, 200), 0.5), Margin, y - 12, Margin + _width, y - 12);
                g.DrawString(language.Disclaimer, _italic, Muted, new XPoint(Margin, y));
                var page = string.Format(CultureInfo.InvariantCulture, language.PageOf, i + 1, _pages.Count);
                var pageWidth = g.MeasureString(page, _small).Width;
                g.DrawString(page, _small, Muted, new XPoint(Margin + _width - pageWidth, y));
                if (_input.Draft)
                {
                    Watermark(g, pageHeight);
                }

                g.Dispose();
            }
        }

        /// <summary>"DRAFT — NOT SIGNED" across the page, diagonally, in light red over the text.</summary>
        private void Watermark(XGraphics g, double pageHeight)
        {
            var font = Font(54, XFontStyleEx.Bold);
            var size = g.MeasureString(DraftMark, font);
            var state = g.Save();
            g.TranslateTransform(Margin + (_width / 2), pageHeight / 2);
            g.RotateTransform(-35);
            g.DrawString(DraftMark, font, new XSolidBrush(XColor.FromArgb(60, 176, 0, 32)), new XPoint(-size.Width / 2, size.Height / 4));
            g.Restore(state);
        }

        private void NewPage()
        {
            var page = _document.AddPage();
            page.Size = PdfSharp.PageSize.Letter;
            _g = XGraphics.FromPdfPage(page);
            _pages.Add(_g);
            _width = page.Width.Point - (2 * Margin);
            _bottom = page.Height.Point - Margin - FooterHeight;
            _y = Margin;
            if (_pages.Count > 1)
            {
                // Continuation pages name the sender and the patient, as paper letters do.
                var header = string.Join(" · ", new[] { _input.Letterhead.ClinicName, _input.PatientName }.Where(s => !string.IsNullOrWhiteSpace(s)));
                if (header.Length > 0)
                {
                    Line(header, _small, Muted);
                    Gap(10);
                }
            }
        }

        private void EnsureSpace(double height)
        {
            if (_y + height > _bottom)
            {
                NewPage();
            }
        }

        private void Gap(double points) => _y += points;

        private void Line(string text, XFont font, XBrush? brush = null)
        {
            var height = font.GetHeight();
            EnsureSpace(height);
            _g.DrawString(text, font, brush ?? Ink, new XPoint(Margin, _y + (height * 0.8)));
            _y += height + 1.5;
        }

        private void Wrapped(string text, XFont font, double indent = 0)
        {
            foreach (var line in Wrap(text, font, _width - indent))
            {
                var height = font.GetHeight();
                EnsureSpace(height);
                _g.DrawString(line, font, Ink, new XPoint(Margin + indent, _y + (height * 0.8)));
                _y += height + 1.5;
            }
        }

        private void Row(string code, string description, XFont font, double codeWidth)
        {
            var lines = Wrap(description, font, _width - codeWidth);
            var height = font.GetHeight() + 1.5;
            EnsureSpace(height * lines.Count);
            _g.DrawString(code, font, Ink, new XPoint(Margin, _y + (font.GetHeight() * 0.8)));
            foreach (var line in lines)
            {
                _g.DrawString(line, font, Ink, new XPoint(Margin + codeWidth, _y + (font.GetHeight() * 0.8)));
                _y += height;
            }

            _y += 2;
        }

        /// <summary>
        /// Greedy word wrap, linear in the text: each word is measured once and a line's width is the sum of its words
        /// and spaces (the layout does no kerning, so the sum is the line's width). A word wider than the line is cut
        /// where its summed character widths reach the edge.
        /// </summary>
        private List<string> Wrap(string text, XFont font, double width)
        {
            List<string> lines = [];
            var current = new StringBuilder();
            var currentWidth = 0.0;
            var space = CharacterWidth(' ', font);
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                _cancellation.ThrowIfCancellationRequested();
                var wordWidth = _g.MeasureString(word, font).Width;
                if (current.Length > 0 && currentWidth + space + wordWidth <= width)
                {
                    current.Append(' ').Append(word);
                    currentWidth += space + wordWidth;
                    continue;
                }

                if (current.Length > 0)
                {
                    lines.Add(current.ToString());
                    current.Clear();
                }

                if (wordWidth <= width)
                {
                    current.Append(word);
                    currentWidth = wordWidth;
                    continue;
                }

                currentWidth = 0;
                foreach (var character in word)
                {
                    var characterWidth = CharacterWidth(character, font);
                    // Never between the two halves of a surrogate pair.
                    if (current.Length > 0 && currentWidth + characterWidth > width && !char.IsLowSurrogate(character))
                    {
                        _cancellation.ThrowIfCancellationRequested();
                        lines.Add(current.ToString());
                        current.Clear();
                        currentWidth = 0;
                    }

                    current.Append(character);
                    currentWidth += characterWidth;
                }
            }

            if (current.Length > 0 || lines.Count == 0)
            {
                lines.Add(current.ToString());
            }

            return lines;
        }

        private double CharacterWidth(char character, XFont font)
        {
            if (!_characterWidths.TryGetValue((font, character), out var measured))
            {
                measured = _g.MeasureString(character.ToString(), font).Width;
                _characterWidths[(font, character)] = measured;
            }

            return measured;
        }

        private static IEnumerable<string> Lines(string? text) =>
            (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);

        private static string Label(string label, string value) => string.IsNullOrWhiteSpace(value) ? "" : $"{label} {value}";
    }
}
