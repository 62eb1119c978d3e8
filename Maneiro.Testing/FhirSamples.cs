using Maneiro.Grains.Interfaces;
using Maneiro.Web.Fhir;

namespace Maneiro.Testing;

/// <summary>An analysis result with every part a FHIR export carries (a checked and an unchecked code, a reference).</summary>
public static class FhirSamples
{
    public static AnalysisResult Result(string? birthDate = "1958-03-14", string? mrn = "MRN-448812", string? encounter = "2026-11-30") => new(
        "Dr. Helena Ribeiro",
        "John Carter",
        "John Carter, 67-year-old man",
        "Moderate primary open-angle glaucoma of the right eye, pressure above target.",
        "Your right eye pressure is too high.",
        [
            new Diagnosis("Primary open-angle glaucoma, right eye, moderate stage", "H40.1112", "right", 0.92, ["IOP 24 mmHg on latanoprost"], [], "Intraocular pressure 24 mmHg right", true),
            new Diagnosis("Glaucoma, unspecified", "H40.9", "unspecified", 0.4, [], [], "glaucoma", false),
        ],
        [new PlanItem("Lower intraocular pressure", ["Add timolol twice daily, right eye"], [])],
        [],
        [
            new CodeEntry("H40.1112", "POAG right eye moderate", true, CodeCheck.Valid, "Primary open-angle glaucoma, right eye, moderate stage", true),
            new CodeEntry("H40.9", "Glaucoma", false, CodeCheck.Verify, null, null),
        ],
        new QualityScore(82, "good", [], []),
        [new Reference(1, "12345678", "Timolol in glaucoma", "Ophthalmology", 2020, "review", true)],
        "icd10cm-2026",
        birthDate,
        mrn,
        encounter);

    public static FhirExportInput Input(AnalysisResult result, FhirLetter? letter, DateTimeOffset createdAt) =>
        new("0123456789abcdef0123456789abcdef", result, new FhirAuthor("user-1", "Dr. Helena Ribeiro", "MD"), "urn:oid:2.16.840.1.113883.19.5", letter, createdAt);

    public static FhirLetter SignedLetter(byte[] pdf) => new("letter-1", LetterKind.Referral, "Referral: glaucoma", pdf, "referral.pdf", new DateOnly(2026, 12, 1));
}
