using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace Maneiro.Infrastructure.Extraction;

/// <summary>Reads a PDF's text layer with PdfPig.</summary>
public sealed class PdfTextLayer(CpuWork cpu) : IPdfTextLayer
{
    public const int MaxTextLayerPages = 200;

    public Task<PdfText> ExtractAsync(byte[] pdf, CancellationToken cancellationToken) =>
        cpu.RunAsync(_ => Task.FromResult(Extract(pdf)), cancellationToken);

    /// <summary>Opens the document to check it is a readable, unencrypted PDF and returns its page count.</summary>
    public static int Inspect(byte[] pdf)
    {
        using var document = Open(pdf);
        return document.NumberOfPages;
    }

    public static PdfText Extract(byte[] pdf)
    {
        using var document = Open(pdf);
        if (document.NumberOfPages > MaxTextLayerPages)
        {
            throw new JobFailedException($"This PDF has {document.NumberOfPages} pages; the limit is {MaxTextLayerPages}. Split it and upload the parts.");
        }

        var text = new StringBuilder();
        foreach (var page in document.GetPages())
        {
            text.AppendLine(UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor.ContentOrderTextExtractor.GetText(page));
        }

        return new PdfText(text.ToString().Trim(), document.NumberOfPages);
    }

    private static PdfDocument Open(byte[] pdf)
    {
        try
        {
            var document = PdfDocument.Open(pdf);
            if (document.IsEncrypted)
            {
                document.Dispose();
                throw new JobFailedException("This PDF is password-protected. Remove the password and upload it again.");
            }

            return document;
        }
        catch (PdfDocumentEncryptedException)
        {
            throw new JobFailedException("This PDF is password-protected. Remove the password and upload it again.");
        }
        catch (Exception ex) when (ex is UglyToad.PdfPig.Core.PdfDocumentFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException or FormatException)
        {
            throw new JobFailedException("This PDF is damaged or incomplete and cannot be read. Save or export it again and re-upload.");
        }
    }
}
