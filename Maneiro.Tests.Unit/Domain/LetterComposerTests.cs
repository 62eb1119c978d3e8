using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Domain;

public sealed class LetterComposerTests
{
    private static ComposedLetter Compose(string draftJson, LetterKind kind = LetterKind.Referral, string language = "en", int references = 2)
    {
        var (draft, errors) = LetterDraft.Parse(draftJson);
        Assert.Empty(errors);
        return LetterComposer.Compose(draft!, kind, LetterLanguage.Get(language), LetterSamples.Context(references));
    }

    [Fact]
    public void Citations_outside_the_verified_references_are_removed_and_reported()
    {
        var letter = Compose(LetterSamples.Draft(sections: ("Findings", ["Pressure was high [1, 7]. Field loss progressed [9]. Treatment works [2]."])));

        Assert.Contains("Pressure was high [1].", letter.Body, StringComparison.Ordinal);
        Assert.Contains("Field loss progressed.", letter.Body, StringComparison.Ordinal);
        Assert.Contains("Treatment works [2].", letter.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("[7]", letter.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("9]", letter.Body, StringComparison.Ordinal);
        Assert.Contains(letter.Notices, n => n.StartsWith("2 citation(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Codes_that_were_not_validated_and_model_written_links_are_removed_but_vitamin_b12_survives()
    {
        var letter = Compose(LetterSamples.Draft(sections: ("Diagnoses", ["Glaucoma (H40.1112) and asthma (J45.909). Vitamin B12 was normal. See https://example.org/paper and PMID: 12345678."])));

        Assert.Contains("H40.1112", letter.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("J45.909", letter.Body, StringComparison.Ordinal);
        Assert.Contains("asthma.", letter.Body, StringComparison.Ordinal);
        Assert.Contains("Vitamin B12", letter.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("example.org", letter.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("12345678", letter.Body, StringComparison.Ordinal);
        Assert.Contains(letter.Notices, n => n.Contains("ICD-10 code(s)", StringComparison.Ordinal));
        Assert.Contains(letter.Notices, n => n.Contains("link(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void With_no_verified_references_every_citation_goes()
    {
        var letter = Compose(LetterSamples.Draft(), references: 0);

        Assert.DoesNotMatch(@"\[\d", letter.Body);
    }

    [Theory]
    [InlineData("en", "URGENT: Referral")]
    [InlineData("es", "URGENTE: Referral")]
    public void Urgent_referrals_are_marked_urgent_in_the_subject(string language, string expectedStart)
    {
        var letter = Compose(LetterSamples.Draft(subject: "Referral for raised pressure"), LetterKind.UrgentReferral, language);

        Assert.StartsWith(expectedStart, letter.Subject, StringComparison.Ordinal);
        Assert.Equal(letter.Subject, Compose(LetterSamples.Draft(subject: letter.Subject), LetterKind.UrgentReferral, language).Subject);
    }

    [Fact]
    public void A_prior_authorization_without_a_medical_necessity_section_gets_one_with_the_codes()
    {
        var letter = Compose(LetterSamples.Draft(sections: ("Request", ["Please authorize selective laser trabeculoplasty."])), LetterKind.PriorAuthorization, "fr");

        var blocks = LetterBody.Parse(letter.Body);
        var heading = blocks.Single(b => b.Kind == LetterBlockKind.Heading && b.Text == "Nécessité médicale");
        var after = blocks[blocks.ToList().IndexOf(heading) + 1];
        Assert.Contains("H40.1112", after.Text, StringComparison.Ordinal);
        Assert.Contains(letter.Notices, n => n.Contains("medical-necessity", StringComparison.Ordinal));
    }

    [Fact]
    public void Patient_summaries_report_their_reading_level()
    {
        var easy = Compose(LetterSamples.Draft(sections: ("What we found", ["Your eye pressure is high. We will add a drop. Use it twice a day. Call us if your eye hurts."])), LetterKind.PatientSummary);
        var hard = Compose(LetterSamples.Draft(sections: ("Findings", ["Gonioscopic examination demonstrated circumferentially open angles without peripheral anterior synechiae, consistent with progressive glaucomatous optic neuropathy necessitating intensification of ocular hypotensive pharmacotherapy."])), LetterKind.PatientSummary);

        Assert.Contains(easy.Notices, n => n.StartsWith("Reading level is about grade", StringComparison.Ordinal) && !n.Contains("above", StringComparison.Ordinal));
        Assert.Contains(hard.Notices, n => n.Contains("above the 8th-grade target", StringComparison.Ordinal));
        Assert.True(ReadingLevel.FleschKincaidGrade("The cat sat on the mat.") < 3);
    }

    [Fact]
    public void The_body_format_round_trips_headings_and_paragraphs()
    {
        var letter = Compose(LetterSamples.Draft());
        var blocks = LetterBody.Parse(letter.Body);

        Assert.Equal(
            ["Paragraph:Dear Dr. Silva,", "Heading:Reason for referral", "Paragraph", "Heading:Findings", "Paragraph", "Heading:Request", "Paragraph", "Paragraph:Kind regards,"],
            blocks.Select(b => b.Kind == LetterBlockKind.Heading || b.Text.Length < 20 ? $"{b.Kind}:{b.Text}" : b.Kind.ToString()).ToArray());
        Assert.Equal("Two\nlines\n", LetterBody.Clean("Two\r\nlines\u0000  "));
    }

    [Fact]
    public void Malformed_drafts_are_reported_for_repair()
    {
        Assert.NotEmpty(LetterDraft.Parse("not json").Errors);
        Assert.NotEmpty(LetterDraft.Parse("""{"subject":"","salutation":"","sections":[],"closing":""}""").Errors);
    }
}
