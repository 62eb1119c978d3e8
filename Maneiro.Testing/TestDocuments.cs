using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Maneiro.Testing;

/// <summary>Real documents made by the tests: text PDFs, scans (text rendered to pixels in an image-only PDF), PNGs, speech.</summary>
public static class TestDocuments
{
    public const string OphthalmologyNote = """
        Ophthalmology clinic note, Dr. Helena Ribeiro, Lisbon Eye Institute.
        Patient: John Carter, 67-year-old man, seen on 12 March 2026 for routine glaucoma follow-up.
        History: primary open-angle glaucoma of the right eye diagnosed in 2021, on latanoprost at night.
        Examination: visual acuity 20/30 right eye and 20/25 left eye. Intraocular pressure 24 mmHg right, 17 mmHg left.
        Optic nerve: cup-to-disc ratio 0.8 right with inferior rim thinning, 0.4 left.
        Visual field: superior arcuate defect in the right eye, progressing since the last visit.
        Assessment: primary open-angle glaucoma, right eye, moderate stage, pressure above target despite treatment.
        Plan: add timolol twice daily to the right eye, repeat visual field in three months, consider laser trabeculoplasty.
        """;

    /// <summary>A PDF with a real text layer (Helvetica), one page per 40 lines.</summary>
    public static byte[] TextPdf(string text)
    {
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n').SelectMany(Wrap).ToList();
        var pages = lines.Chunk(40).ToList();
        var contents = pages.Select(pageLines =>
        {
            var content = new StringBuilder("BT /F1 11 Tf 50 740 Td 15 TL\n");
            foreach (var line in pageLines)
            {
                content.Append('(').Append(Escape(line)).Append(") Tj T*\n");
            }

            return Encoding.Latin1.GetBytes(content.Append("ET").ToString());
        }).ToList();
        return BuildPdf(contents, pageIndex => $"/Font << /F1 {3 + (2 * pages.Count)} 0 R >>", extraObjects: ["<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"], extraStreams: []);
    }

    /// <summary>
    /// A readable text layer, then a string operand of <paramref name="stringBytes"/> bytes that no operator takes:
    /// poppler's lexer holds the whole string in memory before it finds there is no use for it (and the text reads).
    /// </summary>
    public static byte[] LongStringPdf(string text, int stringBytes)
    {
        var content = Encoding.Latin1.GetBytes($"BT /F1 12 Tf 50 740 Td ({Escape(text)}) Tj ET\n(" + new string('a', stringBytes) + ")");
        return BuildPdf([content], _ => "/Font << /F1 5 0 R >>", extraObjects: ["<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"], extraStreams: []);
    }

    /// <summary>
    /// A hostile PDF: a readable text layer, and a fill colour in a Separation space whose tint transform is a Type-4
    /// (PostScript calculator) function nested <paramref name="depth"/> levels deep. Parsers that recurse on the nesting
    /// overflow their stack (PdfPig 0.1.16, poppler's pdftotext); 200,000 levels make a 2.4 MB file.
    /// </summary>
    public static byte[] NestedFunctionPdf(string text, int depth = 200_000)
    {
        var function = new StringBuilder("{ ", (depth * 12) + 16);
        for (var i = 0; i < depth; i++)
        {
            function.Append("true { ");
        }

        function.Append("pop 0.5");
        for (var i = 0; i < depth; i++)
        {
            function.Append(" } if");
        }

        var code = Encoding.Latin1.GetBytes(function.Append(" }").ToString());
        var content = Encoding.Latin1.GetBytes($"BT /F1 12 Tf 50 740 Td ({Escape(text)}) Tj ET\n/CS0 cs 0.5 scn 50 600 100 50 re f");
        return BuildPdf(
            [content],
            _ => "/Font << /F1 5 0 R >> /ColorSpace << /CS0 [/Separation /Spot /DeviceGray 6 0 R] >>",
            extraObjects: ["<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"],
            extraStreams: [($"<< /FunctionType 4 /Domain [0 1] /Range [0 1] /Length {code.Length} >>", code)]);
    }

    /// <summary>A page with no text layer the size of a wall (200 x 200 inches): rasterized at 220 dpi it would be 1.9 gigapixels.</summary>
    public static byte[] OversizedPagePdf() =>
        BuildPdf([Encoding.ASCII.GetBytes("0.5 g 0 0 100 100 re f")], _ => "", extraObjects: [], extraStreams: [], mediaBox: "0 0 14400 14400");

    /// <summary>An image bomb: a PNG whose header declares 30,000 x 30,000 pixels (900 megapixels), with almost no data.</summary>
    public static byte[] PngBomb()
    {
        static byte[] Chunk(string type, byte[] data)
        {
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
            // The checksum is left zero: the header is all this file is meant to be read for.
            return [.. length, .. typed, 0, 0, 0, 0];
        }

        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header, 30_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 30_000);
        header[8] = 8;
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", header), .. Chunk("IDAT", Deflate(new byte[30_001])), .. Chunk("IEND", [])];
    }

    /// <summary>A scan (a fax): each text rendered to grayscale pixels by pdftoppm as one page of a PDF that has no text layer.</summary>
    public static async Task<byte[]> ScannedPdfAsync(params string[] pages)
    {
        var images = new List<(string Dictionary, byte[] Data)>();
        foreach (var page in pages)
        {
            var (width, height, pixels) = await RenderGrayAsync(TextPdf(page), 200);
            var deflated = Deflate(pixels);
            images.Add(($"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {deflated.Length} >>", deflated));
        }

        // Objects: catalog, pages, then a page and its content per page, then one image per page.
        var contents = pages.Select(_ => Encoding.ASCII.GetBytes("q 612 0 0 792 0 0 cm /Im1 Do Q")).ToList();
        return BuildPdf(contents, index => $"/XObject << /Im1 {3 + (2 * pages.Length) + index} 0 R >>", extraObjects: [], extraStreams: [.. images]);
    }

    /// <summary>A PNG photo of the text (rendered by pdftoppm).</summary>
    public static async Task<byte[]> PngAsync(string text)
    {
        var dir = Directory.CreateTempSubdirectory("maneiro-png-");
        try
        {
            var pdf = Path.Combine(dir.FullName, "in.pdf");
            await File.WriteAllBytesAsync(pdf, TextPdf(text));
            await RunAsync("pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", pdf, Path.Combine(dir.FullName, "out"));
            return await File.ReadAllBytesAsync(Path.Combine(dir.FullName, "out.png"));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    /// <summary>Speech generated by espeak-ng, as a WAV file.</summary>
    public static async Task<byte[]> SpeechWavAsync(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"maneiro-speech-{Guid.NewGuid():N}.wav");
        try
        {
            await RunAsync("espeak-ng", "-w", path, text);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Spoken <paramref name="text"/> as a browser's recorder makes it: Opus in WebM, no duration in the container.</summary>
    public static async Task<byte[]> SpeechWebmAsync(string text)
    {
        var wav = Path.Combine(Path.GetTempPath(), $"maneiro-speech-{Guid.NewGuid():N}.wav");
        var webm = Path.ChangeExtension(wav, ".webm");
        try
        {
            await File.WriteAllBytesAsync(wav, await SpeechWavAsync(text));
            // Streamed output (as a live recorder writes it): the container carries no duration.
            await RunAsync("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", wav, "-c:a", "libopus", "-b:a", "32k", "-live", "1", "-f", "webm", webm);
            return await File.ReadAllBytesAsync(webm);
        }
        finally
        {
            File.Delete(wav);
            File.Delete(webm);
        }
    }

    /// <summary>
    /// A long dictation: the spoken <paramref name="text"/> repeated until the WAV is at least
    /// <paramref name="minimumBytes"/> (PCM in one data chunk, the header rewritten for the new length).
    /// </summary>
    public static async Task<byte[]> LongSpeechWavAsync(string text, long minimumBytes)
    {
        var wav = await SpeechWavAsync(text);
        var dataAt = wav.AsSpan().IndexOf("data"u8);
        var header = wav[..(dataAt + 8)];
        var pcm = wav[(dataAt + 8)..];
        var repeats = (int)((minimumBytes / pcm.Length) + 1);
        var output = new byte[header.Length + ((long)pcm.Length * repeats)];
        header.CopyTo(output, 0);
        for (var i = 0; i < repeats; i++)
        {
            pcm.CopyTo(output, header.Length + ((long)pcm.Length * i));
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)(output.Length - 8));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(dataAt + 4), (uint)(pcm.Length * repeats));
        return output;
    }

    /// <summary>A little-endian TIFF of <paramref name="pages"/> blank 8-bit grayscale pages (one directory each).</summary>
    public static byte[] MultiPageTiff(int pages, int width = 64, int height = 64)
    {
        using var output = new MemoryStream();
        using var writer = new BinaryWriter(output);
        writer.Write("II"u8);
        writer.Write((ushort)42);
        writer.Write(8u);
        for (var page = 0; page < pages; page++)
        {
            var directoryAt = (uint)output.Position;
            const ushort entries = 8;
            var pixelsAt = directoryAt + 2 + (entries * 12) + 4;
            var next = page == pages - 1 ? 0u : pixelsAt + (uint)(width * height);
            writer.Write(entries);
            void Entry(ushort tag, ushort type, uint value)
            {
                writer.Write(tag);
                writer.Write(type);
                writer.Write(1u);
                writer.Write(value);
            }

            Entry(256, 4, (uint)width);        // ImageWidth
            Entry(257, 4, (uint)height);       // ImageLength
            Entry(258, 3, 8);                  // BitsPerSample
            Entry(259, 3, 1);                  // Compression: none
            Entry(262, 3, 1);                  // Photometric: black is zero
            Entry(273, 4, pixelsAt);           // StripOffsets
            Entry(278, 4, (uint)height);       // RowsPerStrip
            Entry(279, 4, (uint)(width * height)); // StripByteCounts
            writer.Write(next);
            writer.Write(Enumerable.Repeat((byte)255, width * height).ToArray());
        }

        return output.ToArray();
    }

    public static async Task<byte[]> EncryptedPdfAsync(string text)
    {
        var dir = Directory.CreateTempSubdirectory("maneiro-enc-");
        try
        {
            var input = Path.Combine(dir.FullName, "in.pdf");
            var output = Path.Combine(dir.FullName, "out.pdf");
            await File.WriteAllBytesAsync(input, TextPdf(text));
            await RunAsync("qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--", input, output);
            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static IEnumerable<string> Wrap(string line)
    {
        line = line.Trim();
        while (line.Length > 95)
        {
            var cut = line.LastIndexOf(' ', 95);
            cut = cut <= 0 ? 95 : cut;
            yield return line[..cut];
            line = line[cut..].Trim();
        }

        yield return line;
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal);

    /// <summary>Catalog 1, pages 2, then page/content pairs, then extra objects and streams, with a correct xref.</summary>
    private static byte[] BuildPdf(List<byte[]> contents, Func<int, string> resources, string[] extraObjects, (string Dictionary, byte[] Data)[] extraStreams, string mediaBox = "0 0 612 792")
    {
        var output = new MemoryStream();
        var offsets = new List<long>();
        void Write(string s) => output.Write(Encoding.Latin1.GetBytes(s));
        void Object(Action body)
        {
            offsets.Add(output.Position);
            Write($"{offsets.Count} 0 obj\n");
            body();
            Write("\nendobj\n");
        }

        Write("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        var pageCount = contents.Count;
        Object(() => Write("<< /Type /Catalog /Pages 2 0 R >>"));
        Object(() => Write($"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(0, pageCount).Select(i => $"{3 + (2 * i)} 0 R"))}] /Count {pageCount} >>"));
        for (var i = 0; i < pageCount; i++)
        {
            var index = i;
            Object(() => Write($"<< /Type /Page /Parent 2 0 R /MediaBox [{mediaBox}] /Contents {4 + (2 * index)} 0 R /Resources << {resources(index)} >> >>"));
            Object(() =>
            {
                Write($"<< /Length {contents[index].Length} >>\nstream\n");
                output.Write(contents[index]);
                Write("\nendstream");
            });
        }

        foreach (var extra in extraObjects)
        {
            Object(() => Write(extra));
        }

        foreach (var (dictionary, data) in extraStreams)
        {
            Object(() =>
            {
                Write(dictionary + "\nstream\n");
                output.Write(data);
                Write("\nendstream");
            });
        }

        var xref = output.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n");
        }

        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return output.ToArray();
    }

    public static async Task<(int Width, int Height, byte[] Pixels)> RenderGrayAsync(byte[] pdf, int dpi)
    {
        var dir = Directory.CreateTempSubdirectory("maneiro-scan-");
        try
        {
            var input = Path.Combine(dir.FullName, "in.pdf");
            await File.WriteAllBytesAsync(input, pdf);
            await RunAsync("pdftoppm", "-r", dpi.ToString(CultureInfo.InvariantCulture), "-gray", "-singlefile", input, Path.Combine(dir.FullName, "page"));
            var pgm = await File.ReadAllBytesAsync(Path.Combine(dir.FullName, "page.pgm"));
            // P5 header: magic, width, height, maxval, each followed by whitespace.
            var position = 0;
            string Token()
            {
                while (char.IsWhiteSpace((char)pgm[position]))
                {
                    position++;
                }

                var start = position;
                while (!char.IsWhiteSpace((char)pgm[position]))
                {
                    position++;
                }

                return Encoding.ASCII.GetString(pgm, start, position - start);
            }

            Assert.Equal("P5", Token());
            var width = int.Parse(Token(), CultureInfo.InvariantCulture);
            var height = int.Parse(Token(), CultureInfo.InvariantCulture);
            Token();
            position++;
            return (width, height, pgm[position..(position + (width * height))]);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {error}");
        }
    }
}
