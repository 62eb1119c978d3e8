using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Domain;

public sealed class AnalysisHeadlinesTests
{
    [Fact]
    public void A_history_row_names_the_patient_the_primary_diagnosis_and_the_first_sentence()
    {
        var result = Result("John Carter", "Moderate glaucoma of the right eye.  Pressure above target.", ("Type 2 diabetes", "E11.9", false), ("Primary open-angle glaucoma", "H40.1112", true));
        var headline = AnalysisHeadlines.Of(result);
        Assert.Equal(("John Carter", "Primary open-angle glaucoma", "Moderate glaucoma of the right eye."), (headline.PatientName, headline.PrimaryDiagnosis, headline.SummaryLine));

        // The codes ride along, to search the history by.
        Assert.Equal(["E11.9", "H40.1112"], headline.Codes);
    }

    [Fact]
    public void Without_a_primary_code_the_first_diagnosis_is_shown_and_long_summaries_are_shortened()
    {
        var result = Result("", new string('x', 300), ("Cataract", "H25.9", false));
        var headline = AnalysisHeadlines.Of(result);
        Assert.Equal("Cataract", headline.PrimaryDiagnosis);
        Assert.Equal(AnalysisHeadlines.MaxSummaryLine, headline.SummaryLine.Length);
        Assert.EndsWith("…", headline.SummaryLine, StringComparison.Ordinal);
    }

    private static AnalysisResult Result(string patient, string summary, params (string Title, string Code, bool Primary)[] diagnoses) => new(
        "Dr. Ribeiro",
        patient,
        patient,
        summary,
        "",
        diagnoses.Select(d => new Diagnosis(d.Title, d.Code, "right", 0.9, [], [], "", true)).ToList(),
        [],
        [],
        diagnoses.Select(d => new CodeEntry(d.Code, d.Title, d.Primary, CodeCheck.Unverified, null, null)).ToList(),
        new QualityScore(80, "good", [], []));
}
