using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Testing;
using Microsoft.Extensions.Options;

namespace Maneiro.Tests.Unit.Extraction;

/// <summary>The text layer read by one limited pdftotext run, which also counts the pages.</summary>
public sealed class PopplerPdfTests
{
    private static readonly PopplerPdf Poppler = new(new CpuWork(), Options.Create(new PdfToolOptions()));

    [Fact]
    public async Task The_text_and_the_page_count_come_from_one_run()
    {
        var text = await Poppler.ExtractAsync(TestDocuments.TextPdf(string.Join('\n', Enumerable.Range(1, 60).Select(i => $"Line {i} of the note."))), CancellationToken.None);
        Assert.Equal(2, text.PageCount);
        Assert.Contains("Line 60 of the note.", text.Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\f', text.Text);
    }

    [Fact]
    public async Task A_pdf_over_the_page_limit_is_refused_with_the_limit()
    {
        var pages = PopplerPdf.MaxTextLayerPages + 1;
        var pdf = TestDocuments.TextPdf(string.Join('\n', Enumerable.Range(1, pages * 40).Select(i => $"Line {i}.")));
        var refused = await Assert.ThrowsAsync<JobFailedException>(() => Poppler.ExtractAsync(pdf, CancellationToken.None));
        Assert.Contains("more than 200 pages", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_protected_pdf_is_told_apart_from_a_damaged_one_by_the_text_read()
    {
        var locked = await Assert.ThrowsAsync<JobFailedException>(async () => await Poppler.ExtractAsync(await TestDocuments.EncryptedPdfAsync(TestDocuments.OphthalmologyNote), CancellationToken.None));
        Assert.Equal(PopplerPdf.PasswordProtected, locked.Message);

        var cut = await Assert.ThrowsAsync<JobFailedException>(() => Poppler.ExtractAsync(TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)[..300], CancellationToken.None));
        Assert.Equal(PopplerPdf.Damaged, cut.Message);
    }
}
