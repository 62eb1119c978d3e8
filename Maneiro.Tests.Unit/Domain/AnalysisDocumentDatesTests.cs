using Maneiro.Grains.Domain;
using Maneiro.Testing;

namespace Maneiro.Tests.Unit.Domain;

/// <summary>Prompt v2: the birth date, record number and encounter date, kept only when the document stated them.</summary>
public sealed class AnalysisDocumentDatesTests
{
    [Fact]
    public void Stated_dates_and_the_record_number_reach_the_result()
    {
        var (document, errors) = AnalysisDocument.Parse(JobsApp.ModelAnswer(birthDate: "1958-03-14", recordNumber: " MRN 448812 ", encounterDate: "2026-11"));
        Assert.Empty(errors);
        var result = document!.ToResult(Icd10Catalog.NotInstalled, "Intraocular pressure 24 mmHg right");
        Assert.Equal(("1958-03-14", "MRN 448812", "2026-11"), (result.PatientBirthDate, result.PatientIdentifier, result.EncounterDate));
    }

    [Fact]
    public void Unstated_ones_are_absent_not_empty()
    {
        var (document, errors) = AnalysisDocument.Parse(JobsApp.ModelAnswer(recordNumber: ""));
        Assert.Empty(errors);
        var result = document!.ToResult(Icd10Catalog.NotInstalled, "");
        Assert.Null(result.PatientBirthDate);
        Assert.Null(result.PatientIdentifier);
        Assert.Null(result.EncounterDate);
    }

    [Theory]
    [InlineData("03/14/1958")]
    [InlineData("1958-02-30")]
    [InlineData("about 67 years")]
    [InlineData("1958-13")]
    public void A_date_not_in_iso_form_goes_back_to_the_model_for_repair(string written)
    {
        var (_, errors) = AnalysisDocument.Parse(JobsApp.ModelAnswer(birthDate: written));
        Assert.Contains(errors, e => e.StartsWith("patient_birth_date", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1958", true)]
    [InlineData("1958-03", true)]
    [InlineData("2024-02-29", true)]
    [InlineData("2023-02-29", false)]
    [InlineData("1700-01-01", false)]
    [InlineData("19580314", false)]
    public void Stated_dates_are_calendar_dates_at_year_month_or_day_precision(string value, bool valid) =>
        Assert.Equal(valid, StatedDate.IsValid(value));
}
