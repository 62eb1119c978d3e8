using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Web.Letters;
using UglyToad.PdfPig;

namespace Maneiro.Tests.Unit.Letters;

public sealed class LetterPdfTests
{
    private static readonly Letterhead Head = new(
        "Clínica São Lucas", "Rua das Flores 120\nSão Paulo SP", "+55 11 5555-0100", "+55 11 5555-0101", "contato@saolucas.example",
        "Dra. Helena Ribeiro", "MD, PhD", "Glaucoma Service\nCRM 123456", null);

    private static LetterPdfInput Input(LetterKind kind, string language = "en", string? body = null, Letterhead? head = null)
    {
        var context = LetterSamples.Context();
        var draft = LetterDraft.Parse(LetterSamples.Draft()).Draft!;
        var composed = LetterComposer.Compose(draft, kind, LetterLanguage.Get(language), context);
        return new LetterPdfInput(
            head ?? Head,
            kind,
            LetterLanguage.Get(language),
            new DateOnly(2026, 11, 25),
            new LetterRecipient("Dr. Ana Silva", "Glaucoma", "Eye Institute", "1 Main Street\nSpringfield"),
            context.PatientName,
            composed.Subject,
            body ?? composed.Body,
            context.Codes,
            context.References);
    }

    private static (string Text, IReadOnlyList<string> Pages, bool HasImage) Read(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var pages = document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text))).ToList();
        var hasImage = document.GetPages().Any(p => p.GetImages().Any());
        return (string.Join(' ', pages), pages, hasImage);
    }

    private static void InOrder(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"\"{part}\" is missing or out of order in:\n{text}");
            at = found + part.Length;
        }
    }

    [Theory]
    [InlineData(LetterKind.Referral)]
    [InlineData(LetterKind.UrgentReferral)]
    [InlineData(LetterKind.CoManagement)]
    [InlineData(LetterKind.SecondOpinion)]
    [InlineData(LetterKind.PatientSummary)]
    [InlineData(LetterKind.PriorAuthorization)]
    public void Every_kind_of_letter_has_its_sections_in_order(LetterKind kind)
    {
        var pdf = LetterPdf.Render(Input(kind));
        var (text, pages, _) = Read(pdf);

        // Kept for people to look at, like the browser screenshots.
        var samples = Path.Combine(TestServers.RepositoryRoot, "artifacts", "letters");
        Directory.CreateDirectory(samples);
        File.WriteAllBytes(Path.Combine(samples, $"{kind}.pdf"), pdf);

        InOrder(text, "Clínica", "São", "Lucas", "Tel", "+55", "November", "25,", "2026");
        if (kind == LetterKind.UrgentReferral)
        {
            InOrder(text, "2026", "URGENT", "Dr.", "Ana", "Silva");
        }

        InOrder(text, "Dr.", "Ana", "Silva", "Glaucoma", "Eye", "Institute", "Springfield", "RE:", "John", "Carter",
            "Dear", "Reason", "for", "referral", "(H40.1112)", "Findings", "Request", "Kind", "regards,");
        if (kind == LetterKind.PriorAuthorization)
        {
            InOrder(text, "regards,", "ICD-10", "codes", "Code", "Description", "H40.1112", "Primary", "open-angle");
        }

        InOrder(text, "regards,", "References", "[1]", "Glaucoma", "study", "number", "1", "[2]", "Dra.", "Helena", "Ribeiro,", "MD,", "PhD", "Glaucoma", "Service", "CRM");
        Assert.Contains($"Page {pages.Count} of {pages.Count}", pages[^1], StringComparison.Ordinal);
        Assert.Contains("the clinician is responsible for accuracy", string.Join(' ', pages[0].Split(' ')), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("es", "Página 1 de 1", "Referencias", "exactitud.")]
    [InlineData("pt", "Página 1 de 1", "Referências", "exatidão.")]
    [InlineData("fr", "Page 1 sur 1", "Références", "exactitude.")]
    public void Accented_text_survives_in_spanish_portuguese_and_french(string language, string pageOf, string references, string disclaimerEnd)
    {
        const string accented = "Não há alteração. Él está aquí; ça déjà été évalué à l'hôpital — coração, niño, garçon, élève, maçã.";
        var (text, _, _) = Read(LetterPdf.Render(Input(LetterKind.Referral, language, body: $"## Avaliação\n\n{accented}\n")));

        InOrder(text, "Avaliação", "Não", "há", "alteração.", "Él", "está", "aquí;", "ça", "déjà", "été", "évalué", "l'hôpital", "coração,", "niño,", "garçon,", "élève,", "maçã.");
        InOrder(text, references);
        Assert.Contains(pageOf, text, StringComparison.Ordinal);
        Assert.Contains(disclaimerEnd, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_letter_breaks_across_pages_with_correct_page_numbers()
    {
        var paragraphs = string.Join("\n\n", Enumerable.Range(1, 60).Select(i => $"## Section {i}\n\nParagraph {i}: " + string.Concat(Enumerable.Repeat("The intraocular pressure remained above target despite maximal tolerated therapy. ", 4))));
        var (_, pages, _) = Read(LetterPdf.Render(Input(LetterKind.Referral, body: paragraphs)));

        Assert.True(pages.Count >= 4, $"Only {pages.Count} pages.");
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {pages.Count}", pages[i], StringComparison.Ordinal);
            Assert.Contains("responsible for accuracy", pages[i], StringComparison.Ordinal);
        }

        // Sections continue in order across page breaks, and continuation pages name the clinic and patient.
        InOrder(string.Join(' ', pages), Enumerable.Range(1, 60).SelectMany(i => new[] { "Section", $"{i}", $"Paragraph", $"{i}:" }).ToArray());
        Assert.Contains("John Carter", pages[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_page_renders_to_a_non_blank_image_with_the_logo()
    {
        var logo = LogoImage.Reencode(await TestDocuments.PngAsync("SAO LUCAS"));
        var pdf = LetterPdf.Render(Input(LetterKind.Referral, head: Head with { LogoPng = logo }));

        Assert.True(Read(pdf).HasImage);
        var (width, height, pixels) = await TestDocuments.RenderGrayAsync(pdf, 50);
        Assert.True(width > 300 && height > 400);
        var dark = pixels.Count(p => p < 128);
        Assert.True(dark > pixels.Length / 200, $"Only {dark} dark pixels of {pixels.Length}.");
    }

    [Fact]
    public async Task A_logo_is_checked_by_content_and_re_encoded_as_a_bounded_png()
    {
        var png = await TestDocuments.PngAsync("LOGO");
        var logo = LogoImage.Reencode(png);

        Assert.True(logo.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]));
        Assert.NotEqual(png, logo);
        using var bitmap = SkiaSharp.SKBitmap.Decode(logo);
        Assert.True(bitmap.Width <= LogoImage.MaxWidth && bitmap.Height <= LogoImage.MaxHeight);

        Assert.Contains("PNG or JPEG", Assert.Throws<LogoRejectedException>(() => LogoImage.Reencode(TestDocuments.TextPdf("not a logo"))).Message, StringComparison.Ordinal);
        Assert.Contains("PNG or JPEG", Assert.Throws<LogoRejectedException>(() => LogoImage.Reencode("<svg onload=alert(1)>"u8.ToArray())).Message, StringComparison.Ordinal);
        Assert.Throws<LogoRejectedException>(() => LogoImage.Reencode([.. png[..8], .. new byte[64]]));
        Assert.Throws<LogoRejectedException>(() => LogoImage.Reencode(new byte[LogoImage.MaxUploadBytes + 1]));
    }

    [Fact]
    public void A_body_of_the_saved_limit_without_a_single_space_wraps_inside_the_margins_and_keeps_every_character()
    {
        // The shape that burned a core: one 40,000-character "word", wrapped by re-measuring it one character shorter at a time.
        var body = string.Concat(Enumerable.Repeat("ABCDEFGHIJ", LetterBody.MaxLength / 10));
        var pdf = LetterPdf.Render(Input(LetterKind.Referral, body: body));

        using var document = PdfDocument.Open(pdf);
        var letters = document.GetPages().SelectMany(p => p.Letters.Select(l => (Page: p, Letter: l))).ToList();
        // The body's letters, in reading order, without the footers' (a smaller size).
        var bodySize = letters.Where(l => l.Letter.Value == "J").Max(l => l.Letter.PointSize);
        var runs = document.GetPages().SelectMany(p => System.Text.RegularExpressions.Regex.Matches(
            string.Concat(p.Letters.Where(l => Math.Abs(l.PointSize - bodySize) < 0.01).Select(l => l.Value)), "[A-J]{20,}").Select(m => m.Value));
        Assert.Contains(body, string.Concat(runs), StringComparison.Ordinal);
        Assert.All(letters, l => Assert.True(l.Letter.BoundingBox.Right <= l.Page.Width - 50, $"'{l.Letter.Value}' at {l.Letter.BoundingBox.Right} crosses the right margin"));
    }

    [Fact]
    public void A_render_stops_when_its_budget_is_spent()
    {
        using var spent = new CancellationTokenSource();
        spent.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => LetterPdf.Render(Input(LetterKind.Referral), spent.Token));
    }
}
