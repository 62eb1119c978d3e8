using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;

namespace Maneiro.Grains.Jobs;

/// <summary>A stored document a job reads: the key its OCR pages are reserved under, and the cap on its pages.</summary>
public sealed record DocumentToRead(string JobId, string BlobKey, InputKind Kind, string MediaType, int MaxOcrPages);

/// <summary>
/// Reads a stored document's text the one way analyses and inbox items share: the PDF text layer, or OCR with its
/// pages checked against the cap and the reader's allowance before any page is read, and counted once read.
/// </summary>
public sealed class DocumentReader(IBlobStore blobs, IPdfTextLayer textLayer, IOcr ocr, ManeiroTelemetry telemetry)
{
    public async Task<PdfText> TextLayerAsync(DocumentToRead document, CancellationToken stop) =>
        await textLayer.ExtractAsync(await ReadBytesAsync(document.BlobKey, stop), stop);

    /// <summary>OCRs the document, its pages reserved and then committed on <paramref name="payer"/>'s allowance.</summary>
    public async Task<OcrResult> OcrAsync(DocumentToRead document, int pdfPageCount, IUserGrain payer, CancellationToken stop)
    {
        var bytes = await ReadBytesAsync(document.BlobKey, stop);

        // A multi-page TIFF is as many pages as it holds, for the allowance and for the page cap.
        var pages = document.MediaType == "image/tiff" ? TiffPages.Count(bytes) : Math.Max(1, pdfPageCount);
        if (pages > document.MaxOcrPages)
        {
            throw new JobFailedException($"This scan has {pages} pages; OCR reads at most {document.MaxOcrPages}. Split it and upload the parts.");
        }

        var reservation = await payer.TryReserve(UsageKind.OcrPages, document.JobId, pages);
        if (!reservation.Granted)
        {
            throw new JobFailedException(reservation.DeniedReason!);
        }

        var result = document.Kind == InputKind.Pdf ? await ocr.ReadPdfAsync(bytes, pages, stop) : await ocr.ReadImageAsync(bytes, stop);

        // The pages were read: their cost stands whatever happens to the job later (its text is shown either way).
        await payer.CommitKind(document.JobId, UsageKind.OcrPages);
        if (string.IsNullOrWhiteSpace(result.Text))
        {
            throw new JobFailedException("No readable text was found in this document, even with OCR. Check that the scan is not blank or upside down.");
        }

        telemetry.OcrPages(result.Pages.Count);
        return result;
    }

    public async Task<byte[]> ReadBytesAsync(string key, CancellationToken stop)
    {
        await using var stream = await blobs.OpenReadAsync(key, stop);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, stop);
        return memory.ToArray();
    }
}
