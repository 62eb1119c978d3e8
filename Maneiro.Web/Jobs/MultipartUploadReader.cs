using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Maneiro.Web.Jobs;

/// <summary>What the form sent besides its file.</summary>
public sealed record UploadForm(IReadOnlyDictionary<string, string> Fields, string FileName = "")
{
    public string Field(string name) => Fields.GetValueOrDefault(name) ?? "";
}

/// <summary>The upload is refused before anything is analyzed; the message is for the user.</summary>
public sealed class UploadRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Reads a multipart upload as a stream, section by section, never buffering the body: form fields are read up to a
/// bound, the antiforgery token is checked before any file is touched (from the header, or from the form field that
/// precedes the file), and the one file's content is handed to <c>onFile</c> as it arrives.
/// </summary>
public sealed class MultipartUploadReader(IAntiforgery antiforgery)
{
    private const string TokenField = "__RequestVerificationToken";
    private const string Expired = "The form expired. Reload the page and try again.";

    public async Task<UploadForm> ReadAsync(HttpContext context, UploadOptions limits, Func<Stream, Task> onFile)
    {
        var request = context.Request;
        if (request.ContentLength > limits.MaxRequestBytes)
        {
            throw new UploadRefusedException(StatusCodes.Status413PayloadTooLarge, UploadInspector.TooLarge(limits.MaxAudioBytes, "audio"));
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
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Send the file as multipart/form-data (a normal file upload form).");
        }

        var reader = new MultipartReader(boundary, request.Body);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var tokenChecked = false;
        var files = 0;
        var fileName = "";
        while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }

            if (disposition.IsFileDisposition())
            {
                tokenChecked = tokenChecked || await RequireTokenAsync(context, null);
                if (++files > 1)
                {
                    throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Upload one file at a time.");
                }

                fileName = DisplayName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
                await onFile(section.Body);
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            var value = await ReadFieldAsync(section.Body, limits.MaxPastedCharacters + 1, context.RequestAborted);
            if (name == TokenField)
            {
                tokenChecked = await RequireTokenAsync(context, value);
            }
            else
            {
                fields[name] = value;
            }
        }

        if (!tokenChecked)
        {
            await RequireTokenAsync(context, null);
        }

        return new UploadForm(fields, fileName);
    }

    /// <summary>The name the browser gave the file, for display only: its last path part, printable, at most 120 characters.</summary>
    public static string DisplayName(string? name)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/').Last();
        var printable = new string(last.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return printable.Length <= 120 ? printable : printable[..120];
    }

    private async Task<bool> RequireTokenAsync(HttpContext context, string? formToken)
    {
        // The header wins over the form in antiforgery's lookup, so the body is never buffered to find the token.
        if (formToken is not null)
        {
            context.Request.Headers["RequestVerificationToken"] = formToken;
        }

        if (!context.Request.Headers.ContainsKey("RequestVerificationToken") || !await antiforgery.IsRequestValidAsync(context))
        {
            throw new UploadRefusedException(StatusCodes.Status400BadRequest, Expired);
        }

        return true;
    }

    /// <summary>
    /// A form field's value, at most <paramref name="maxCharacters"/> long. Read in pieces: most fields are a word, and
    /// a buffer of the pasted-text limit for each (400 KB) was most of what an upload allocated.
    /// </summary>
    private static async Task<string> ReadFieldAsync(Stream body, int maxCharacters, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        var value = new StringBuilder();
        var piece = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            while (value.Length < maxCharacters && await reader.ReadAsync(piece.AsMemory(0, Math.Min(piece.Length, maxCharacters - value.Length)), cancellationToken) is var n and > 0)
            {
                value.Append(piece, 0, n);
            }
        }
        finally
        {
            // Pasted text is patient data.
            ArrayPool<char>.Shared.Return(piece, clearArray: true);
        }

        return value.ToString();
    }
}
