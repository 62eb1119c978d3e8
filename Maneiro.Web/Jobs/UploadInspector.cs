using System.Text;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Extraction;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Jobs;

/// <summary>An input stored encrypted under a generated key, of a type decided from its content; its SHA-256 stays in memory.</summary>
public sealed record StoredInput(string Key, SniffedType Type, long Size, byte[] Sha256);

/// <summary>
/// Decides what an upload is from its first bytes (never its name), stores it encrypted while counting it against
/// its type's limit, and opens PDFs once to refuse damaged or password-protected ones before any work starts.
/// Whatever it refuses it deletes again.
/// </summary>
public sealed class UploadInspector(IBlobStore blobs, PopplerPdf pdfs, IOptions<UploadOptions> options)
{
    public const string UnsupportedType = "This file type is not supported. Upload a PDF, a PNG, JPEG, WEBP or TIFF image, or MP3, WAV, M4A, WEBM or OGG audio.";

    /// <summary>Stores the upload and, for a PDF, opens it once; a refusal leaves nothing stored.</summary>
    public async Task<StoredInput> StoreFileAsync(Stream body, string jobId, CancellationToken cancellationToken)
    {
        var input = await StoreUncheckedFileAsync(body, jobId, cancellationToken);
        try
        {
            await CheckPdfAsync(input, cancellationToken);
            return input;
        }
        catch (Exception)
        {
            await DeleteAsync(input);
            throw;
        }
    }

    /// <summary>
    /// Stores the upload without opening a PDF yet: the analysis path first asks whether the same document was
    /// analysed already (a repeat is answered without any parsing), then calls <see cref="ReadPdfAsync"/>.
    /// </summary>
    public async Task<StoredInput> StoreUncheckedFileAsync(Stream body, string jobId, CancellationToken cancellationToken)
    {
        var head = new byte[FileSniffer.HeaderBytes];
        var headLength = 0;
        while (headLength < head.Length && await body.ReadAsync(head.AsMemory(headLength), cancellationToken) is var n and > 0)
        {
            headLength += n;
        }

        if (FileSniffer.Sniff(head.AsSpan(0, headLength)) is not { } type)
        {
            throw headLength == 0
                ? new UploadRefusedException(StatusCodes.Status400BadRequest, "The file is empty.")
                : new UploadRefusedException(StatusCodes.Status415UnsupportedMediaType, UnsupportedType);
        }

        var key = BlobKeys.NewUploadKey(jobId);
        var max = MaxBytes(type.Kind);
        using var counting = new CountingStream(new ConcatStream(head.AsMemory(0, headLength), body), max);
        var tooLarge = new UploadRefusedException(StatusCodes.Status413PayloadTooLarge, TooLarge(max, type.Kind == InputKind.Audio ? "audio" : "documents"));
        try
        {
            try
            {
                await blobs.PutAsync(key, counting, type.MediaType, cancellationToken);
            }
            catch (UploadTooLargeException)
            {
                throw tooLarge;
            }

            if (counting.Count > max)
            {
                throw tooLarge;
            }

            return new StoredInput(key, type, counting.Count, counting.Sha256());
        }
        catch (Exception)
        {
            // Whatever stopped it (a refusal, the client gone, storage failing), nothing stays stored.
            await blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    public async Task<StoredInput> StoreTextAsync(string text, string jobId, CancellationToken cancellationToken)
    {
        var key = BlobKeys.NewUploadKey(jobId);
        var bytes = Encoding.UTF8.GetBytes(text);
        await blobs.PutAsync(key, new MemoryStream(bytes), "text/plain", cancellationToken);
        return new StoredInput(key, new SniffedType(InputKind.Text, "text/plain", "pasted text"), bytes.Length, System.Security.Cryptography.SHA256.HashData(bytes));
    }

    /// <summary>Refuses (422) a stored PDF that cannot be opened (damaged, password-protected); the caller deletes it.</summary>
    private async Task CheckPdfAsync(StoredInput input, CancellationToken cancellationToken)
    {
        if (input.Type.Kind == InputKind.Pdf && await PdfProblemAsync(input.Key, cancellationToken) is { } problem)
        {
            throw new UploadRefusedException(StatusCodes.Status422UnprocessableEntity, problem);
        }
    }

    /// <summary>
    /// Reads a stored PDF's text layer in one limited child process, which is also the check that it opens: a damaged,
    /// password-protected, crashing, too slow or over-long PDF is refused (422) before it costs anything; the caller
    /// deletes it. The text comes back for the analysis (so its job does not parse the document again) when it is no
    /// longer than the analysed length; a longer one is read again by the job, which keeps it whole. Null for other types.
    /// The parse runs in <paramref name="uploader"/>'s warm worker: only documents this person sent share its memory.
    /// </summary>
    public async Task<UploadTextLayer?> ReadPdfAsync(StoredInput input, string uploader, CancellationToken cancellationToken)
    {
        if (input.Type.Kind != InputKind.Pdf)
        {
            return null;
        }

        PdfText layer;
        try
        {
            layer = await pdfs.ExtractAsync(await ReadAllAsync(input.Key, cancellationToken), uploader, cancellationToken);
        }
        catch (JobFailedException ex)
        {
            throw new UploadRefusedException(StatusCodes.Status422UnprocessableEntity, ex.Message);
        }
        catch (ToolTimedOutException)
        {
            throw new UploadRefusedException(StatusCodes.Status422UnprocessableEntity, ToolTimedOutException.UserMessage);
        }

        return layer.Text.Length <= ExtractedTextLimits.MaxAnalysedCharacters ? new UploadTextLayer(layer.Text, layer.PageCount) : null;
    }

    /// <summary>Removes a stored input again (an upload refused after it was stored).</summary>
    public async Task DeleteAsync(StoredInput? input)
    {
        if (input is not null)
        {
            await blobs.DeleteAsync(input.Key, CancellationToken.None);
        }
    }

    public static string TooLarge(long max, string what) => $"This file is too large. The limit for {what} is {max / (1024 * 1024)} MB.";

    private long MaxBytes(InputKind kind) => kind == InputKind.Audio ? options.Value.MaxAudioBytes : options.Value.MaxDocumentBytes;

    private async Task<byte[]> ReadAllAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancellationToken);
        return memory.ToArray();
    }

    private async Task<string?> PdfProblemAsync(string key, CancellationToken cancellationToken)
    {
        var pdf = await ReadAllAsync(key, cancellationToken);
        try
        {
            await pdfs.InspectAsync(pdf, cancellationToken);
            return null;
        }
        catch (JobFailedException ex)
        {
            return ex.Message;
        }
    }
}
