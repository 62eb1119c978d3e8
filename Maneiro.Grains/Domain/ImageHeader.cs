using System.Buffers.Binary;

namespace Maneiro.Grains.Domain;

/// <summary>
/// An image's pixel size as its header declares it (PNG, JPEG, WEBP, TIFF), read without decoding anything, so an
/// image bomb is known before a decoder allocates it. Null when the header does not say.
/// </summary>
public static class ImageHeader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static (long Width, long Height)? Dimensions(ReadOnlySpan<byte> image)
    {
        if (image.Length >= 24 && image[..8].SequenceEqual(PngSignature))
        {
            return (BinaryPrimitives.ReadUInt32BigEndian(image[16..]), BinaryPrimitives.ReadUInt32BigEndian(image[20..]));
        }

        if (image.Length >= 4 && image[0] == 0xFF && image[1] == 0xD8)
        {
            return Jpeg(image);
        }

        if (image.Length >= 30 && image[..4].SequenceEqual("RIFF"u8) && image[8..12].SequenceEqual("WEBP"u8))
        {
            return Webp(image);
        }

        return Tiff(image);
    }

    private static (long, long)? Jpeg(ReadOnlySpan<byte> image)
    {
        var at = 2;
        while (at + 9 < image.Length && image[at] == 0xFF)
        {
            var marker = image[at + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(image[(at + 2)..]);

            // Start-of-frame markers (C0-CF except DHT C4, JPG C8, DAC CC) carry the size.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(image[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(image[(at + 5)..]));
            }

            at += 2 + length;
        }

        return null;
    }

    private static (long, long)? Webp(ReadOnlySpan<byte> image)
    {
        var chunk = image[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            return (1 + (image[24] | (image[25] << 8) | (image[26] << 16)), 1 + (image[27] | (image[28] << 8) | (image[29] << 16)));
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(image[21..]);
            return (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
        }

        if (chunk.SequenceEqual("VP8 "u8))
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(image[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(image[28..]) & 0x3FFF);
        }

        return null;
    }

    /// <summary>The first page's ImageWidth (256) and ImageLength (257) tags.</summary>
    private static (long, long)? Tiff(ReadOnlySpan<byte> image)
    {
        if (image.Length < 8 || !((image[0] == 'I' && image[1] == 'I') || (image[0] == 'M' && image[1] == 'M')))
        {
            return null;
        }

        var little = image[0] == 'I';
        var directory = U32(image, 4, little);
        if (directory > image.Length - 2)
        {
            return null;
        }

        long? width = null, height = null;
        var entries = U16(image, (int)directory, little);
        for (var i = 0; i < entries; i++)
        {
            var entry = (int)directory + 2 + (i * 12);
            if (entry + 12 > image.Length)
            {
                break;
            }

            var tag = U16(image, entry, little);
            long value = U16(image, entry + 2, little) == 3 ? U16(image, entry + 8, little) : U32(image, entry + 8, little);
            (width, height) = tag switch
            {
                256 => (value, height),
                257 => (width, value),
                _ => (width, height),
            };
        }

        return width is { } w && height is { } h ? (w, h) : null;
    }

    private static uint U32(ReadOnlySpan<byte> image, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(image[at..]) : BinaryPrimitives.ReadUInt32BigEndian(image[at..]);

    private static ushort U16(ReadOnlySpan<byte> image, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(image[at..]) : BinaryPrimitives.ReadUInt16BigEndian(image[at..]);
}
