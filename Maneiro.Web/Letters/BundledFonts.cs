using System.Collections.Concurrent;
using PdfSharp.Fonts;

namespace Maneiro.Web.Letters;

/// <summary>
/// Serves the DejaVu Sans faces shipped inside the app (Letters/Fonts, Bitstream Vera licence), so PDFs come out the
/// same on every machine and ES/PT/FR accents are always covered. Any family asked for resolves to DejaVu Sans.
/// </summary>
public sealed class BundledFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";

    private static readonly Lazy<bool> Installed = new(() =>
    {
        // PDFsharp keeps its font resolver process-wide; it is set once, here, before any document is made.
        GlobalFontSettings.FontResolver = new BundledFonts();
        return true;
    });

    private readonly ConcurrentDictionary<string, byte[]> _faces = new();

    public static void EnsureInstalled() => _ = Installed.Value;

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        bold ? new FontResolverInfo("DejaVuSans-Bold") : italic ? new FontResolverInfo("DejaVuSans-Oblique") : new FontResolverInfo("DejaVuSans");

    public byte[] GetFont(string faceName) => _faces.GetOrAdd(faceName, static name =>
    {
        using var stream = typeof(BundledFonts).Assembly.GetManifestResourceStream($"Maneiro.Fonts.{name}.ttf")
            ?? throw new InvalidOperationException($"The bundled font {name} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });
}
