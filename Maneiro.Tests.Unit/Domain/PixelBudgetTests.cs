using Maneiro.Grains.Domain;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Domain;

public sealed class PixelBudgetTests
{
    [Fact]
    public void Paper_sizes_keep_the_usual_resolution_big_pages_get_less_and_walls_are_refused()
    {
        Assert.Equal(PixelBudget.PreferredDpi, PixelBudget.DpiFor(612, 792));
        var poster = PixelBudget.DpiFor(24 * 72, 36 * 72);
        Assert.InRange(poster!.Value, PixelBudget.MinimumDpi, PixelBudget.PreferredDpi - 1);
        Assert.True((24 * poster.Value) * (36L * poster.Value) <= PixelBudget.MaxPixels);
        Assert.Null(PixelBudget.DpiFor(14400, 14400));
    }

    [Fact]
    public void Image_sizes_are_read_from_headers_without_decoding()
    {
        Assert.Equal((30_000L, 30_000L), ImageHeader.Dimensions(TestDocuments.PngBomb()));
        Assert.Equal((64L, 64L), ImageHeader.Dimensions(TestDocuments.MultiPageTiff(2)));
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x03, 0x20, 0x05, 0x00, 0x01, 0x01, 0x11, 0x00];
        Assert.Equal((1280L, 800L), ImageHeader.Dimensions(jpeg));
        Assert.Null(ImageHeader.Dimensions("not an image"u8));
    }
}
