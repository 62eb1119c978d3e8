using System.Globalization;
using Maneiro.Grains.Domain;
using Maneiro.Infrastructure.Storage;

namespace Maneiro.Infrastructure.Extraction;

/// <summary>
/// OCR with Debian's tools: <c>pdftoppm</c> rasterizes PDF pages (220 dpi, grayscale) and the <c>tesseract</c> CLI
/// reads each page (<c>--psm 6</c>, one thread per process, one process per core). Images go straight to tesseract.
/// </summary>
public sealed class TesseractOcr(CpuWork cpu) : IOcr
{
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(90);
    private static readonly Dictionary<string, string> SingleThread = new() { ["OMP_THREAD_LIMIT"] = "1" };

    /// <summary>A page within the pixel budget needs far less; anything bigger is a hostile file.</summary>
    private static readonly ProcessLimits ToolLimits = new(2L * 1024 * 1024 * 1024, 120);

    /// <summary>Each page's size in points, from <c>pdfinfo</c> (a page it does not list keeps Letter size).</summary>
    private static async Task<Dictionary<int, (double Width, double Height)>> PageSizesAsync(string pdf, int pageCount, CancellationToken cancellationToken)
    {
        var info = await ExternalProcess.RunAsync("pdfinfo", ["-f", "1", "-l", pageCount.ToString(CultureInfo.InvariantCulture), pdf], PageTimeout, cancellationToken, limits: ToolLimits);
        var sizes = new Dictionary<int, (double, double)>();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(info.StandardOutput, @"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts"))
        {
            sizes[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)] = (double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        }

        return sizes;
    }

    public async Task<OcrResult> ReadPdfAsync(byte[] pdf, int pageCount, CancellationToken cancellationToken)
    {
        if (pageCount > OcrLimits.MostPagesAnyJob)
        {
            throw new JobFailedException($"This scan has {pageCount} pages; OCR reads at most {OcrLimits.MostPagesAnyJob}. Split it and upload the parts.");
        }

        var dir = ScratchSpace.NewFolder("ocr");
        try
        {
            var input = Path.Combine(dir.FullName, "input.pdf");
            await File.WriteAllBytesAsync(input, pdf, cancellationToken);
            var sizes = await PageSizesAsync(input, pageCount, cancellationToken);
            var dpis = new int[pageCount];
            for (var n = 1; n <= pageCount; n++)
            {
                var (width, height) = sizes.GetValueOrDefault(n, (612, 792));
                dpis[n - 1] = PixelBudget.DpiFor(width, height) ?? throw new JobFailedException(PixelBudget.PageTooLarge(n, width, height));
            }

            var pages = await Task.WhenAll(Enumerable.Range(1, pageCount).Select(n => cpu.RunAsync(async ct =>
            {
                var prefix = Path.Combine(dir.FullName, $"page-{n}");
                var raster = await ExternalProcess.RunAsync(
                    "pdftoppm",
                    ["-r", dpis[n - 1].ToString(CultureInfo.InvariantCulture), "-gray", "-png", "-singlefile", "-f", n.ToString(CultureInfo.InvariantCulture), "-l", n.ToString(CultureInfo.InvariantCulture), input, prefix],
                    PageTimeout,
                    ct,
                    limits: ToolLimits);
                if (raster.ExitCode != 0)
                {
                    throw new JobFailedException($"Page {n} of this PDF could not be turned into an image for OCR.");
                }

                return await ReadPageAsync(prefix + ".png", n, ct);
            }, cancellationToken)));
            return new OcrResult(pages);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public async Task<OcrResult> ReadImageAsync(byte[] image, CancellationToken cancellationToken)
    {
        var dir = ScratchSpace.NewFolder("ocr");
        try
        {
            var path = Path.Combine(dir.FullName, "image");
            await File.WriteAllBytesAsync(path, image, cancellationToken);
            // The header's size, before any decoder allocates it: an image bomb is refused here.
            if (ImageHeader.Dimensions(image) is var (width, height) && width * height > PixelBudget.MaxPixels)
            {
                throw new JobFailedException(PixelBudget.ImageTooLarge(width, height));
            }

            var page = await cpu.RunAsync(ct => ReadPageAsync(path, 1, ct), cancellationToken);
            return new OcrResult([page]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<OcrPage> ReadPageAsync(string imagePath, int number, CancellationToken cancellationToken)
    {
        // "txt tsv" writes both the text and per-word confidences in one pass.
        var outBase = imagePath + ".ocr";
        var result = await ExternalProcess.RunAsync("tesseract", [imagePath, outBase, "--psm", "6", "-l", "eng", "txt", "tsv"], PageTimeout, cancellationToken, SingleThread, ToolLimits);
        if (result.ExitCode != 0)
        {
            throw new JobFailedException($"OCR could not read page {number}; the image may be damaged or in an unsupported format.");
        }

        var text = await File.ReadAllTextAsync(outBase + ".txt", cancellationToken);
        var confidences = (await File.ReadAllLinesAsync(outBase + ".tsv", cancellationToken))
            .Skip(1)
            .Select(line => line.Split('\t'))
            .Where(cols => cols.Length >= 12 && cols[11].Trim().Length > 0)
            .Select(cols => double.Parse(cols[10], CultureInfo.InvariantCulture))
            .Where(c => c >= 0)
            .ToList();
        return new OcrPage(number, text, confidences.Count == 0 ? 0 : Math.Round(confidences.Average(), 1));
    }
}
