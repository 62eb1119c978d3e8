using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Tests.Unit.Domain;

public sealed class EhrTextTests
{
    private static readonly AnalysisResult Result = new(
        "Dr. Ribeiro",
        "John Carter",
        "John Carter, 67",
        "Moderate **glaucoma** of the\nright eye,   pressure above target.",
        "Your right eye pressure is too high.",
        [
            new Diagnosis("Primary open-angle glaucoma", "H40.1112", "right", 0.9, ["Pressure 24 mmHg."], [], "IOP 24", true),
            new Diagnosis("Asthma", "J45", "none", 0.5, [], [], "asthma", false),
        ],
        [new PlanItem("## Add a second drop", ["Start timolol.", "Recheck in\n6 weeks."], [])],
        [],
        [new CodeEntry("H40.1112", "POAG right moderate", true, CodeCheck.Valid, "Primary open-angle glaucoma, right eye, moderate stage", true), new CodeEntry("J45", "Asthma", false, CodeCheck.NotBillable, null, false)],
        new QualityScore(80, "good", [], []));

    [Fact]
    public void Sections_are_plain_paragraphs_with_numbered_items_and_checked_codes_only_as_code_and_description()
    {
        Assert.Equal("Moderate glaucoma of the right eye, pressure above target.", EhrText.Summary(Result));
        Assert.Equal(
            "1) Primary open-angle glaucoma, right\nICD-10-CM: H40.1112 – Primary open-angle glaucoma, right eye, moderate stage\nPressure 24 mmHg.\n\n2) Asthma\nICD-10-CM: J45 (not verified as billable – check before use)",
            EhrText.Assessment(Result));
        Assert.Equal("1) Add a second drop\nStart timolol.\nRecheck in 6 weeks.", EhrText.Plan(Result));
        Assert.Equal("Referral\n\nReason\n\nFirst line continues here.\n\nSecond paragraph.", EhrText.Letter("Referral", "## Reason\n\nFirst line\ncontinues here.\n\nSecond paragraph."));
        Assert.DoesNotContain("**", EhrText.Summary(Result), StringComparison.Ordinal);
    }
}
