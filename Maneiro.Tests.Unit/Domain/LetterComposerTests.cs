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
        Assert.Contains("Check before sending: ICD-10 code J45.909 was removed because it is not one of this analysis's checked, billable codes.", letter.Notices);
        Assert.Contains(letter.Notices, n => n.Contains("link(s)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Coded H40.99ZZ.", "H40.99ZZ")]
    [InlineData("Coded H4099ZZ.", "H40.99ZZ")]
    [InlineData("Coded U07.1.", "U07.1")]
    [InlineData("Coded U071.", "U07.1")]
    [InlineData("Coded QA0.0.", "QA0.0")]
    public void Codes_in_any_form_that_are_not_valid_and_billable_are_removed_with_their_reason(string sentence, string code)
    {
        var letter = Compose(LetterSamples.Draft(sections: ("Diagnoses", [sentence + " Primary H40.1112. T1DM, G6PD and B12 are words."])));
        Assert.Equal("Coded. Primary H40.1112. T1DM, G6PD and B12 are words.", Maneiro.Grains.Domain.Letters.LetterBody.Parse(letter.Body).Single(b => b.Text.StartsWith("Coded", StringComparison.Ordinal)).Text);
        Assert.Contains(letter.Notices, n => n.StartsWith($"Check before sending: ICD-10 code {code} was removed", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_valid_billable_codes_of_the_analysis_are_allowed_and_each_other_code_says_why()
    {
        var context = LetterSamples.Context() with
        {
            Codes =
            [
                .. LetterSamples.Context().Codes,
                new CodeEntry("H40.11", "POAG", false, CodeCheck.NotBillable, "Primary open-angle glaucoma", false),
                new CodeEntry("F43.81", "Grief", false, CodeCheck.Verify, null, null),
            ],
        };
        var (text, removed) = Maneiro.Grains.Domain.Letters.LetterCodes.Scrub("H40.1112, H40.11 and F43.81.", context);
        Assert.Equal("H40.1112, and.", text);
        Assert.Equal(["H40.11", "F43.81"], removed.Select(r => r.Code));
        Assert.Contains("needs more characters", removed[0].Reason, StringComparison.Ordinal);
        Assert.Contains("may be newer", removed[1].Reason, StringComparison.Ordinal);
        Assert.Equal(["H40.1112"], Maneiro.Grains.Domain.Letters.LetterCodes.Billable(context).Select(c => c.Code));
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
