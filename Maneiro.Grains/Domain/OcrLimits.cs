using System.Buffers.Binary;

namespace Maneiro.Grains.Domain;

/// <summary>What OCR takes on in one job.</summary>
public static class OcrLimits
{
    /// <summary>The most pages an uploaded document for analysis may have for OCR.</summary>
    public const int MaxPages = 12;

    /// <summary>The most pages of a fax or scan dropped into the clinic inbox (one document, however long the fax).</summary>
    public const int MaxFaxPages = 50;

    /// <summary>What the OCR adapter reads at most in one call, whoever asks.</summary>
    public const int MostPagesAnyJob = MaxFaxPages;
}

/// <summary>Counts the pages (image file directories) of a TIFF by walking its directory chain, bounded and cycle-safe.</summary>
public static class TiffPages
{
    private const int MostPagesCounted = 10_000;

    /// <summary>The number of pages; 1 for anything that is not a readable classic TIFF (OCR decides what it can read).</summary>
    public static int Count(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I' && tiff[2] == 42 && tiff[3] == 0)
        {
            little = true;
        }
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M' && tiff[2] == 0 && tiff[3] == 42)
        {
            little = false;
        }
        else
        {
            return 1;
        }

        var visited = new HashSet<uint>();
        var offset = ReadUInt32(tiff, 4, little);
        var pages = 0;
        while (offset != 0 && offset <= tiff.Length - 2 && pages < MostPagesCounted && visited.Add(offset))
        {
            pages++;
            var entries = ReadUInt16(tiff, (int)offset, little);
            var next = (long)offset + 2 + (entries * 12L);
            if (next > tiff.Length - 4)
            {
                break;
            }

            offset = ReadUInt32(tiff, (int)next, little);
        }

        return Math.Max(1, pages);
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt16BigEndian(data[at..]);

    private static uint ReadUInt32(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
}
