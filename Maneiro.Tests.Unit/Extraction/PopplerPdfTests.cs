using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Testing;
using Microsoft.Extensions.Options;

namespace Maneiro.Tests.Unit.Extraction;

/// <summary>
/// The text layer read in one parse, which also counts the pages: through the pdftext-server (as the apps run) and
/// with a pdftotext started per document (without one configured); both must read and refuse alike.
/// </summary>
public sealed class PopplerPdfTests : IDisposable
{
    private readonly CpuWork _cpu = new();
    private readonly PdfTextServers _servers = new(Options.Create(new PdfToolOptions { TextServerPath = PdfTextServersTests.ServerPath() }));
    private readonly PdfTextServers _none = new(Options.Create(new PdfToolOptions()));

    public static TheoryData<bool> Ways => new() { true, false };

    private PopplerPdf Poppler(bool server) =>
        server
            ? new PopplerPdf(_cpu, Options.Create(new PdfToolOptions { TextServerPath = PdfTextServersTests.ServerPath() }), _servers)
            : new PopplerPdf(_cpu, Options.Create(new PdfToolOptions()), _none);

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task The_text_and_the_page_count_come_from_one_parse(bool server)
    {
        var text = await Poppler(server).ExtractAsync(TestDocuments.TextPdf(string.Join('\n', Enumerable.Range(1, 60).Select(i => $"Line {i} of the note."))), CancellationToken.None);
        Assert.Equal(2, text.PageCount);
        Assert.Contains("Line 60 of the note.", text.Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\f', text.Text);
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task A_pdf_over_the_page_limit_is_refused_with_the_limit(bool server)
    {
        var pages = PopplerPdf.MaxTextLayerPages + 1;
        var pdf = TestDocuments.TextPdf(string.Join('\n', Enumerable.Range(1, pages * 40).Select(i => $"Line {i}.")));
        var refused = await Assert.ThrowsAsync<JobFailedException>(() => Poppler(server).ExtractAsync(pdf, CancellationToken.None));
        Assert.Contains("more than 200 pages", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task A_password_protected_pdf_is_told_apart_from_a_damaged_one_by_the_text_read(bool server)
    {
        var locked = await Assert.ThrowsAsync<JobFailedException>(async () => await Poppler(server).ExtractAsync(await TestDocuments.EncryptedPdfAsync(TestDocuments.OphthalmologyNote), CancellationToken.None));
        Assert.Equal(PopplerPdf.PasswordProtected, locked.Message);

        var cut = await Assert.ThrowsAsync<JobFailedException>(() => Poppler(server).ExtractAsync(TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)[..300], CancellationToken.None));
        Assert.Equal(PopplerPdf.Damaged, cut.Message);
    }

    [Fact]
    public async Task The_server_reads_exactly_what_pdftotext_reads()
    {
        foreach (var pdf in new[]
        {
            TestDocuments.TextPdf(TestDocuments.OphthalmologyNote),
            TestDocuments.TextPdf(string.Join('\n', Enumerable.Range(1, 130).Select(i => $"Línea {i}: agudeza visual 20/{i} OD, café."))),
            TestDocuments.OversizedPagePdf(),
        })
        {
            Assert.Equal(await Poppler(server: false).ExtractAsync(pdf, CancellationToken.None), await Poppler(server: true).ExtractAsync(pdf, CancellationToken.None));
        }
    }

    public void Dispose()
    {
        _servers.Dispose();
        _none.Dispose();
        _cpu.Dispose();
    }
}
