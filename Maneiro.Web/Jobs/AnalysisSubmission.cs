using Maneiro.Grains.Services;
using System.Text;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.OpenAi;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Infrastructure.Storage;
using Maneiro.Web.Audit;
using Maneiro.Infrastructure.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Maneiro.Web.Jobs;

public sealed record SubmitOutcome(int StatusCode, string? JobId, string? Error)
{
    public static SubmitOutcome Refused(int status, string error) => new(status, null, error);
}

/// <summary>
/// Takes an upload from the multipart body as a stream: checks the antiforgery token, the user's allowance, the
/// file's real type and size, and stores it encrypted under a generated key, then starts the job grain. Anything
/// refused leaves nothing stored and no allowance used.
/// </summary>
public sealed class AnalysisSubmission(
    IGrainFactory grains,
    IBlobStore blobs,
    IAntiforgery antiforgery,
    IOptions<UploadOptions> options,
    PromptLibrary prompts,
    AuditTrail audit)
{
    private const string TokenField = "__RequestVerificationToken";

    public async Task<SubmitOutcome> SubmitAsync(HttpContext context, string userId)
    {
        var limits = options.Value;
        var request = context.Request;
        if (request.ContentLength > limits.MaxRequestBytes)
        {
            return SubmitOutcome.Refused(StatusCodes.Status413PayloadTooLarge, TooLarge(limits.MaxAudioBytes, "audio"));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limits.MaxRequestBytes;
        }

        var boundary = request.ContentType is { } contentType && MediaTypeHeaderValue.TryParse(contentType, out var media)
            ? HeaderUtilities.RemoveQuotes(media.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
        {
            return SubmitOutcome.Refused(StatusCodes.Status400BadRequest, "Send the file as multipart/form-data (a normal file upload form).");
        }

        var reader = new MultipartReader(boundary, request.Body);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var jobId = Guid.NewGuid().ToString("N");
        string? blobKey = null;
        SniffedType? type = null;
        long size = 0;
        var tokenChecked = false;
        try
        {
            while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (!tokenChecked && !await TokenValidAsync(context, null))
                    {
                        return SubmitOutcome.Refused(StatusCodes.Status400BadRequest, "The form expired. Reload the page and try again.");
                    }

                    tokenChecked = true;
                    if (blobKey is not null)
                    {
                        return await RefuseAsync(blobKey, jobId, userId, StatusCodes.Status400BadRequest, "Upload one file at a time.");
                    }

                    var reservation = await grains.GetGrain<IUserGrain>(userId).TryReserve(UsageKind.Analyses, jobId, 1);
                    if (!reservation.Granted)
                    {
                        return SubmitOutcome.Refused(StatusCodes.Status402PaymentRequired, reservation.DeniedReason!);
                    }

                    (blobKey, type, size) = await StoreFileAsync(section.Body, jobId, context.RequestAborted);
                    if (type is null)
                    {
                        return await RefuseAsync(blobKey, jobId, userId, size == 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status415UnsupportedMediaType,
                            size == 0 ? "The file is empty." : "This file type is not supported. Upload a PDF, a PNG, JPEG, WEBP or TIFF image, or MP3, WAV, M4A, WEBM or OGG audio.");
                    }

                    var max = type.Kind == InputKind.Audio ? limits.MaxAudioBytes : limits.MaxDocumentBytes;
                    if (size > max)
                    {
                        return await RefuseAsync(blobKey, jobId, userId, StatusCodes.Status413PayloadTooLarge, TooLarge(max, type.Kind == InputKind.Audio ? "audio" : "documents"));
                    }

                    if (type.Kind == InputKind.Pdf && await CheckPdfAsync(blobKey, context.RequestAborted) is { } pdfProblem)
                    {
                        return await RefuseAsync(blobKey, jobId, userId, StatusCodes.Status422UnprocessableEntity, pdfProblem);
                    }
                }
                else
                {
                    var value = await ReadFieldAsync(section.Body, limits.MaxPastedCharacters + 1, context.RequestAborted);
                    if (name == TokenField)
                    {
                        if (!await TokenValidAsync(context, value))
                        {
                            return SubmitOutcome.Refused(StatusCodes.Status400BadRequest, "The form expired. Reload the page and try again.");
                        }

                        tokenChecked = true;
                    }
                    else
                    {
                        fields[name] = value;
                    }
                }
            }
        }
        catch (UploadTooLargeException)
        {
            return await RefuseAsync(blobKey, jobId, userId, StatusCodes.Status413PayloadTooLarge, TooLarge(limits.MaxAudioBytes, "audio"));
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or InvalidDataException)
        {
            return await RefuseAsync(blobKey, jobId, userId, StatusCodes.Status400BadRequest, "The upload was cut off or malformed. Please try again.");
        }

        if (!tokenChecked && !await TokenValidAsync(context, null))
        {
            return await RefuseAsync(blobKey, jobId, userId, StatusCodes.Status400BadRequest, "The form expired. Reload the page and try again.");
        }

        var specialty = fields.GetValueOrDefault("specialty") is { Length: > 0 } s ? s.ToLowerInvariant() : "auto";
        if (!prompts.Specialties.Contains(specialty))
        {
            return await RefuseAsync(blobKey, jobId, userId, StatusCodes.Status400BadRequest, "Choose a specialty from the list.");
        }

        if (blobKey is null)
        {
            var text = fields.GetValueOrDefault("text")?.Trim() ?? "";
            if (text.Length == 0)
            {
                return SubmitOutcome.Refused(StatusCodes.Status400BadRequest, "Choose a file or paste the note's text.");
            }

            if (text.Length > limits.MaxPastedCharacters)
            {
                return SubmitOutcome.Refused(StatusCodes.Status413PayloadTooLarge, $"Pasted text is limited to {limits.MaxPastedCharacters:N0} characters.");
            }

            var reservation = await grains.GetGrain<IUserGrain>(userId).TryReserve(UsageKind.Analyses, jobId, 1);
            if (!reservation.Granted)
            {
                return SubmitOutcome.Refused(StatusCodes.Status402PaymentRequired, reservation.DeniedReason!);
            }

            blobKey = BlobKeys.NewUploadKey(jobId);
            var bytes = Encoding.UTF8.GetBytes(text);
            await blobs.PutAsync(blobKey, new MemoryStream(bytes), "text/plain", context.RequestAborted);
            type = new SniffedType(InputKind.Text, "text/plain", "pasted text");
            size = bytes.Length;
        }

        var forceOcr = fields.GetValueOrDefault("forceOcr") is "true" or "on";
        await grains.GetGrain<IAnalysisGrain>(jobId).Start(new AnalysisRequest(userId, blobKey, type!.Kind, type.MediaType, size, specialty, forceOcr));
        await audit.RecordAsync(AuditActions.Upload, AuditOutcomes.Success, userId, jobId, new { kind = type.Kind.ToString(), bytes = size });
        await audit.RecordAsync(AuditActions.JobStarted, AuditOutcomes.Success, userId, jobId);
        return new SubmitOutcome(StatusCodes.Status202Accepted, jobId, null);
    }

    private async Task<(string Key, SniffedType? Type, long Size)> StoreFileAsync(Stream body, string jobId, CancellationToken cancellationToken)
    {
        var head = new byte[FileSniffer.HeaderBytes];
        var headLength = 0;
        while (headLength < head.Length && await body.ReadAsync(head.AsMemory(headLength), cancellationToken) is var n and > 0)
        {
            headLength += n;
        }

        var key = BlobKeys.NewUploadKey(jobId);
        var type = FileSniffer.Sniff(head.AsSpan(0, headLength));
        if (type is null)
        {
            return (key, null, headLength);
        }

        var max = type.Kind == InputKind.Audio ? options.Value.MaxAudioBytes : options.Value.MaxDocumentBytes;
        var counting = new CountingStream(new ConcatStream(head.AsMemory(0, headLength), body), max);
        await blobs.PutAsync(key, counting, type.MediaType, cancellationToken);
        return (key, type, counting.Count);
    }

    private async Task<string?> CheckPdfAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancellationToken);
        try
        {
            PdfTextLayer.Inspect(memory.ToArray());
            return null;
        }
        catch (JobFailedException ex)
        {
            return ex.Message;
        }
    }

    private async Task<SubmitOutcome> RefuseAsync(string? blobKey, string jobId, string userId, int status, string error)
    {
        if (blobKey is not null)
        {
            await blobs.DeleteAsync(blobKey, CancellationToken.None);
        }

        await grains.GetGrain<IUserGrain>(userId).Release(jobId);
        await audit.RecordAsync(AuditActions.Upload, AuditOutcomes.Failure, userId, details: new { status });
        return SubmitOutcome.Refused(status, error);
    }

    private async Task<bool> TokenValidAsync(HttpContext context, string? formToken)
    {
        // The header wins over the form in antiforgery's lookup, so the body is never buffered to find the token.
        if (formToken is not null)
        {
            context.Request.Headers["RequestVerificationToken"] = formToken;
        }
        else if (!context.Request.Headers.ContainsKey("RequestVerificationToken"))
        {
            return false;
        }

        return await antiforgery.IsRequestValidAsync(context);
    }

    private static async Task<string> ReadFieldAsync(Stream body, int maxCharacters, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        var buffer = new char[maxCharacters];
        var total = 0;
        while (total < buffer.Length && await reader.ReadAsync(buffer.AsMemory(total), cancellationToken) is var n and > 0)
        {
            total += n;
        }

        return new string(buffer, 0, total);
    }

    private static string TooLarge(long max, string what) =>
        $"This file is too large. The limit for {what} is {max / (1024 * 1024)} MB.";
}
