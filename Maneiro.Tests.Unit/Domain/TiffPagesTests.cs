using Maneiro.Grains.Domain;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Domain;

public sealed class TiffPagesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(13)]
    public void Every_directory_in_the_chain_is_a_page(int pages) =>
        Assert.Equal(pages, TiffPages.Count(TestDocuments.MultiPageTiff(pages, 8, 8)));

    [Fact]
    public void A_directory_chain_that_loops_back_is_counted_once_and_ends()
    {
        var tiff = TestDocuments.MultiPageTiff(2, 8, 8);

        // Point the last directory's "next" back at the first.
        var second = BitConverter.ToUInt32(tiff, 8 + 2 + (8 * 12));
        var lastNextAt = (int)second + 2 + (8 * 12);
        BitConverter.GetBytes(8u).CopyTo(tiff, lastNextAt);
        Assert.Equal(2, TiffPages.Count(tiff));
    }

    [Fact]
    public void Anything_that_is_not_a_classic_tiff_counts_as_one_page()
    {
        Assert.Equal(1, TiffPages.Count("not a tiff at all"u8));
        Assert.Equal(1, TiffPages.Count([(byte)'I', (byte)'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F]));
    }
}
