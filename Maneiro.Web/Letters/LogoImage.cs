using SkiaSharp;

namespace Maneiro.Web.Letters;

/// <summary>The logo cannot be used; the message is for the user.</summary>
public sealed class LogoRejectedException(string message) : Exception(message);

/// <summary>
/// Checks an uploaded logo by content (PNG or JPEG magic, then a real decode) and re-encodes it as a fresh PNG at most
/// <see cref="MaxWidth"/> × <see cref="MaxHeight"/>: what reaches a PDF is pixels we wrote, never the uploaded file.
/// </summary>
public static class LogoImage
{
    public const int MaxUploadBytes = 1024 * 1024;
    public const int MaxWidth = 600;
    public const int MaxHeight = 240;

    // Checked from the header before decoding, so a small file cannot claim a huge bitmap.
    private const int MaxSourcePixels = 25_000_000;

    public static byte[] Reencode(byte[] upload)
    {
        if (upload.Length == 0)
        {
            throw new LogoRejectedException("The logo file is empty.");
        }

        if (upload.Length > MaxUploadBytes)
        {
            throw new LogoRejectedException($"The logo is larger than {MaxUploadBytes / 1024} KB. Please use a smaller image.");
        }

        var head = upload.AsSpan();
        if (!Jobs.FileSniffer.IsPng(head) && !Jobs.FileSniffer.IsJpeg(head))
        {
            throw new LogoRejectedException("The logo must be a PNG or JPEG image.");
        }

        using var codec = SKCodec.Create(new SKMemoryStream(upload));
        if (codec is null || (long)codec.Info.Width * codec.Info.Height is 0 or > MaxSourcePixels)
        {
            throw new LogoRejectedException("The logo could not be read as an image.");
        }

        using var source = SKBitmap.Decode(codec);
        if (source is null)
        {
            throw new LogoRejectedException("The logo could not be read as an image.");
        }

        var scale = Math.Min(1.0, Math.Min((double)MaxWidth / source.Width, (double)MaxHeight / source.Height));
        var info = new SKImageInfo(Math.Max(1, (int)(source.Width * scale)), Math.Max(1, (int)(source.Height * scale)), SKColorType.Rgba8888, SKAlphaType.Premul);
        using var resized = source.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new LogoRejectedException("The logo could not be resized.");
        using var image = SKImage.FromBitmap(resized);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
