using System.Globalization;

namespace Maneiro.Grains.Domain;

/// <summary>
/// How many pixels OCR may make or read per page: a page is rasterized at the usual 220 dpi unless that would exceed
/// the budget, then at the highest resolution that fits; below a readable resolution, or for an image over the
/// budget, the page is refused before any tool touches it.
/// </summary>
public static class PixelBudget
{
    public const int PreferredDpi = 220;

    public const int MinimumDpi = 100;

    /// <summary>40 megapixels: a Letter page at 220 dpi is 4.5 MP, a 24 x 36 inch poster at 170 dpi is 25 MP.</summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>The dpi to rasterize a page of <paramref name="widthPoints"/> x <paramref name="heightPoints"/> at, or null when the page is too large to read.</summary>
    public static int? DpiFor(double widthPoints, double heightPoints)
    {
        var squareInches = widthPoints / 72 * (heightPoints / 72);
        if (squareInches <= 0)
        {
            return PreferredDpi;
        }

        var dpi = (int)Math.Min(PreferredDpi, Math.Floor(Math.Sqrt(MaxPixels / squareInches)));
        return dpi >= MinimumDpi ? dpi : null;
    }

    public static string PageTooLarge(int page, double widthPoints, double heightPoints) => string.Create(
        CultureInfo.InvariantCulture,
        $"Page {page} of this PDF is {widthPoints / 72:0} x {heightPoints / 72:0} inches, too large to read with OCR. Export the page at a normal paper size and upload it again.");

    public static string ImageTooLarge(long width, long height) => string.Create(
        CultureInfo.InvariantCulture,
        $"This image is {width} x {height} pixels ({width * height / 1_000_000.0:0} megapixels); OCR reads images up to {MaxPixels / 1_000_000} megapixels. Resize it and upload it again.");
}
