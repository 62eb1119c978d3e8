using System.Globalization;
using Microsoft.Extensions.Options;

namespace Maneiro.Infrastructure.Extraction;

/// <summary>
/// Reads PDFs with poppler — <c>pdfinfo</c>, <c>pdftoppm</c>, and the text layer through <see cref="PdfTextServers"/> (or a
/// <c>pdftotext</c> per document without one) — each document in its own child process under a time, CPU and
/// address-space limit, fed the bytes on standard input or a pipe (no plaintext copy on disk). A parser that crashes or is
/// killed at a limit fails the document with one generic message; the host that asked is untouched.
/// </summary>
public sealed class PopplerPdf(CpuWork cpu, IOptions<PdfToolOptions> options, PdfTextServers servers) : IPdfTextLayer
{
    public const int MaxTextLayerPages = 200;

    public const string CouldNotProcess = "This document could not be processed. It may be damaged or built in a way Maneiro cannot read; try a re-saved or printed-to-PDF copy.";

    public const string PasswordProtected = "This PDF is password-protected. Remove the password and upload it again.";

    public const string Damaged = "This PDF is damaged or incomplete and cannot be read. Save or export it again and re-upload.";

    private PdfToolOptions Options => options.Value;

    public Task<PdfText> ExtractAsync(byte[] pdf, CancellationToken cancellationToken) => ExtractAsync(pdf, uploader: null, cancellationToken);

    /// <summary>The text layer, parsed in the warm worker of <paramref name="uploader"/> (see <see cref="PdfTextServers"/>); null for a child of its own.</summary>
    public Task<PdfText> ExtractAsync(byte[] pdf, string? uploader, CancellationToken cancellationToken) =>
        cpu.RunAsync(async ct =>
        {
            // One parse: pdftotext ends every page with a form feed, so it also counts the pages (one past the limit
            // is enough to know the limit is passed).
            const int last = MaxTextLayerPages + 1;
            var result = servers.Enabled
                ? await servers.ExtractAsync(pdf, last, uploader, ct)
                : await RunAsync(Options.PdfToTextPath, ["-q", "-enc", "UTF-8", "-l", last.ToString(CultureInfo.InvariantCulture), "-", "-"], pdf, ct);
            Check(result, pdf);
            var pages = result.StandardOutput.Count(c => c == '\f');
            if (pages > MaxTextLayerPages)
            {
                throw new JobFailedException($"This PDF has more than {MaxTextLayerPages} pages, the limit. Split it and upload the parts.");
            }

            return new PdfText(result.StandardOutput.Replace('\f', '\n').Trim(), Math.Max(1, pages));
        }, cancellationToken);

    /// <summary>
    /// One page as a PNG, at most <paramref name="longestSide"/> pixels on its longest side (however large the page
    /// claims to be), in the same limited child process as every PDF tool; for showing a fax's pages beside its fields.
    /// </summary>
    public Task<byte[]> RenderPageAsync(byte[] pdf, int page, int longestSide, CancellationToken cancellationToken) =>
        cpu.RunAsync(async ct =>
        {
            var dir = Storage.ScratchSpace.NewFolder("page");
            try
            {
                var prefix = Path.Combine(dir.FullName, "page");
                var number = page.ToString(CultureInfo.InvariantCulture);
                var result = await RunAsync("pdftoppm", ["-png", "-singlefile", "-f", number, "-l", number, "-scale-to", longestSide.ToString(CultureInfo.InvariantCulture), "-", prefix], pdf, ct);
                Check(result, pdf);
                return File.Exists(prefix + ".png") ? await File.ReadAllBytesAsync(prefix + ".png", ct) : throw new JobFailedException(CouldNotProcess);
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }, cancellationToken);

    /// <summary>Checks the bytes are a readable, unencrypted PDF and returns its page count.</summary>
    public Task<int> InspectAsync(byte[] pdf, CancellationToken cancellationToken) =>
        cpu.RunAsync(ct => PageCountAsync(pdf, ct), cancellationToken);

    private async Task<int> PageCountAsync(byte[] pdf, CancellationToken cancellationToken)
    {
        var result = await RunAsync(Options.PdfInfoPath, ["-"], pdf, cancellationToken);
        Check(result, pdf);
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (line.StartsWith("Pages:", StringComparison.Ordinal) && int.TryParse(line[6..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
            {
                return pages;
            }
        }

        throw new JobFailedException(CouldNotProcess);
    }

    private Task<ProcessResult> RunAsync(string tool, string[] arguments, byte[] pdf, CancellationToken cancellationToken) =>
        ExternalProcess.RunAsync(tool, arguments, Options.TimeLimit, cancellationToken, limits: Options.Limits, standardInput: pdf);

    /// <summary>
    /// Poppler answers 1 for a file it cannot open; a password is the reason when its message says so or, with its
    /// messages quieted (-q), when the file declares an encryption dictionary. Anything else non-zero is a crash or a limit.
    /// </summary>
    private static void Check(ProcessResult result, byte[] pdf)
    {
        if (result.ExitCode == 0)
        {
            return;
        }

        if (result.ExitCode == 1 && (result.StandardError.Contains("password", StringComparison.OrdinalIgnoreCase) || pdf.AsSpan().IndexOf("/Encrypt"u8) >= 0))
        {
            throw new JobFailedException(PasswordProtected);
        }

        throw new JobFailedException(result.ExitCode == 1 ? Damaged : CouldNotProcess);
    }
}
