using System.Text;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Jobs;

public sealed record SniffedType(InputKind Kind, string MediaType, string Label);

/// <summary>Decides what an upload is from its first bytes, never from its name or the browser's claimed type.</summary>
public static class FileSniffer
{
    public const int HeaderBytes = 64;

    private static ReadOnlySpan<byte> Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];

    public static bool IsPng(ReadOnlySpan<byte> head) => head.StartsWith(Png);

    public static bool IsJpeg(ReadOnlySpan<byte> head) => head.StartsWith(Jpeg);

    private static ReadOnlySpan<byte> Ebml => [0x1A, 0x45, 0xDF, 0xA3];

    public static SniffedType? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8))
        {
            return new(InputKind.Pdf, "application/pdf", "PDF");
        }

        if (head.StartsWith(Png))
        {
            return new(InputKind.Image, "image/png", "PNG image");
        }

        if (head.StartsWith(Jpeg))
        {
            return new(InputKind.Image, "image/jpeg", "JPEG image");
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return new(InputKind.Image, "image/webp", "WEBP image");
        }

        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return new(InputKind.Image, "image/tiff", "TIFF image");
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WAVE"u8))
        {
            return new(InputKind.Audio, "audio/wav", "WAV audio");
        }

        if (head.StartsWith("ID3"u8) || (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0))
        {
            return new(InputKind.Audio, "audio/mpeg", "MP3 audio");
        }

        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = Encoding.ASCII.GetString(head[8..12]);
            if (brand.StartsWith("M4A", StringComparison.Ordinal) || brand is "isom" or "mp42" or "mp41" or "dash")
            {
                return new(InputKind.Audio, "audio/mp4", "M4A audio");
            }
        }

        if (head.StartsWith(Ebml))
        {
            return new(InputKind.Audio, "audio/webm", "WEBM audio");
        }

        if (head.StartsWith("OggS"u8))
        {
            return new(InputKind.Audio, "audio/ogg", "OGG audio");
        }

        return null;
    }
}
