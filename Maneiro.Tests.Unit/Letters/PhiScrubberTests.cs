using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Letters;

public sealed class PhiScrubberTests
{
    private const string Example = """
        Date: March 3, 2026
        Dear Dr. Ana Silva,
        Re: Maria Gonzalez   DOB: 03/14/1962   MRN: 00482913
        Mrs Gonzalez, who lives at 42 Elm Street, Apt 3, phone (555) 201-4478, maria.g@example.com, has glaucoma.
        """;

    [Fact]
    public void Every_patient_detail_the_model_leaks_is_replaced_or_removed_and_the_clinical_words_stay()
    {
        var leaky = new TemplateContent("Gonzalez referral", LetterKind.Referral, "en",
        [
            new("Patient", "Introduce Maria Gonzalez (DOB 14 March 1962, MRN 00482913).", "Re: Maria Gonzalez, born 1962-03-14, record no. 00482913"),
            new("Contact", "Mention she can be reached at 555-201-4478 or maria.g@example.com, 42 Elm Street.", ""),
            new("Findings", "Summarize the glaucoma findings for Dr. Ana Silva; Maria reported halos.", "Dear Ana Silva, thank you. Date: 03/03/2026"),
        ]);

        var (clean, replacements) = PhiScrubber.Scrub(leaky, Example);
        var text = string.Join("\n", clean.Sections.SelectMany(s => new[] { s.Heading, s.Instructions, s.FixedText }).Append(clean.Name));
        foreach (var leaked in new[] { "Maria", "Gonzalez", "1962", "00482913", "4478", "201", "maria.g", "Elm", "Ana Silva", "03/03/2026" })
        {
            Assert.DoesNotContain(leaked, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("{{patient}}", text, StringComparison.Ordinal);
        Assert.Contains("{{recipient}}", text, StringComparison.Ordinal);
        Assert.Contains("Date: {{date}}", text, StringComparison.Ordinal);
        Assert.Contains("glaucoma findings", text, StringComparison.Ordinal);
        Assert.True(replacements >= 10, $"{replacements} replacements");
    }

    [Fact]
    public void A_template_without_patient_details_is_left_as_it_is()
    {
        var plain = BuiltInTemplates.For(LetterKind.Referral);
        var (clean, replacements) = PhiScrubber.Scrub(plain, "Dear colleague, thank you for seeing this patient.");
        Assert.Equal(0, replacements);
        Assert.Equal(plain.Sections, clean.Sections);
    }

    [Fact]
    public void Template_rules_refuse_unknown_variables_and_empty_sections_and_fill_known_ones()
    {
        var (_, unknown) = TemplateRules.Check(new TemplateContent("T", LetterKind.Referral, "en", [new("A", "", "Hello {{patient_ssn}}")]));
        Assert.Contains("{{patient_ssn}} is not a variable", unknown, StringComparison.Ordinal);
        var (_, empty) = TemplateRules.Check(new TemplateContent("T", LetterKind.Referral, "en", [new("A", " ", " ")]));
        Assert.NotNull(empty);
        var (tidy, none) = TemplateRules.Check(new TemplateContent(" T ", LetterKind.Referral, "en", [new(" A ", "Write.", ""), new("", "", "")]));
        Assert.Null(none);
        Assert.Equal(("T", 1), (tidy.Name, tidy.Sections.Count));
        Assert.Equal("Re: Ana, {{unknown}}", TemplateRules.Fill("Re: {{ Patient }}, {{unknown}}", new Dictionary<string, string> { ["patient"] = "Ana" }));
    }
}
