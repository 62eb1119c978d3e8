using System.Text.Json;
using System.Text.Json.Serialization;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain;

/// <summary>
/// The model's JSON answer (the strict schema in Prompts/v2/analysis.schema.json), its validation, and its mapping to
/// <see cref="AnalysisResult"/>. Validation errors go back to the model once for repair.
/// </summary>
public sealed class AnalysisDocument
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly HashSet<string> Lateralities = ["left", "right", "bilateral", "not applicable", "unspecified"];

    public string ProviderName { get; set; } = "";

    public string PatientName { get; set; } = "";

    public string PatientBlock { get; set; } = "";

    public string? PatientBirthDate { get; set; }

    public string? PatientIdentifier { get; set; }

    public string? EncounterDate { get; set; }

    public string Summary { get; set; } = "";

    public string PatientSummary { get; set; } = "";

    public List<DiagnosisDto> Diagnoses { get; set; } = [];

    public List<PlanDto> Plan { get; set; } = [];

    public List<string> Warnings { get; set; } = [];

    [JsonPropertyName("icd10_codes")]
    public List<CodeDto> Icd10Codes { get; set; } = [];

    public QualityDto? QualityScore { get; set; }

    public List<string> SearchTerms { get; set; } = [];

    /// <summary>Parses and validates; returns the errors a repair round would send back.</summary>
    public static (AnalysisDocument? Document, IReadOnlyList<string> Errors) Parse(string json)
    {
        AnalysisDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<AnalysisDocument>(json, Json);
        }
        catch (JsonException ex)
        {
            return (null, [$"The answer is not valid JSON ({ex.Message})."]);
        }

        if (document is null)
        {
            return (null, ["The answer is empty."]);
        }

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(document.Summary))
        {
            errors.Add("summary is empty.");
        }

        for (var i = 0; i < document.Diagnoses.Count; i++)
        {
            var d = document.Diagnoses[i];
            if (string.IsNullOrWhiteSpace(d.Title))
            {
                errors.Add($"diagnoses[{i}].title is empty.");
            }

            if (!Icd10Catalog.HasValidFormat(d.Icd10Code))
            {
                errors.Add($"diagnoses[{i}].icd10_code '{d.Icd10Code}' is not an ICD-10-CM code (expected a form like H40.1131).");
            }

            if (!Lateralities.Contains(d.Laterality))
            {
                errors.Add($"diagnoses[{i}].laterality must be one of: {string.Join(", ", Lateralities)}.");
            }

            if (d.Confidence is < 0 or > 1)
            {
                errors.Add($"diagnoses[{i}].confidence must be between 0 and 1.");
            }

            if (string.IsNullOrWhiteSpace(d.Evidence))
            {
                errors.Add($"diagnoses[{i}].evidence must quote the source text.");
            }
        }

        foreach (var (name, value) in new[] { ("patient_birth_date", document.PatientBirthDate), ("encounter_date", document.EncounterDate) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !StatedDate.IsValid(value))
            {
                errors.Add($"{name} '{value}' must be an ISO date (YYYY-MM-DD, YYYY-MM or YYYY) as the source text states it, or null.");
            }
        }

        if (document.QualityScore is null)
        {
            errors.Add("quality_score is missing.");
        }
        else if (document.QualityScore.Score is < 0 or > 100)
        {
            errors.Add("quality_score.score must be between 0 and 100.");
        }

        return (document, errors);
    }

    private static string? Stated(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Builds the result, checking every code against the catalog and every quote against the source text.</summary>
    public AnalysisResult ToResult(Icd10Catalog catalog, string sourceText)
    {
        // Every code once (written with or without its dot), the primary first; diagnoses' codes the list missed follow.
        var written = Icd10Codes.OrderByDescending(c => c.Primary).Select(c => (Code: Icd10Catalog.Normalize(c.Code), c.Description, c.Primary))
            .Concat(Diagnoses.Select(d => (Code: Icd10Catalog.Normalize(d.Icd10Code), Description: d.Title, Primary: false)));
        List<CodeEntry> codes = [];
        foreach (var (code, description, primary) in written)
        {
            if (code.Length == 0 || codes.Any(c => c.Code == code))
            {
                continue;
            }

            var finding = catalog.Check(code);
            codes.Add(new CodeEntry(
                code,
                description,
                primary && !codes.Any(c => c.Primary),
                finding.Check,
                finding.Entry?.Description,
                finding.Entry?.Billable,
                finding.Reason,
                finding.BillableChildren.Count == 0 ? null : finding.BillableChildren.Select(e => $"{e.Dotted} {e.Description}").ToList()));
        }

        return new AnalysisResult(
            ProviderName,
            PatientName,
            PatientBlock,
            Summary,
            PatientSummary,
            // Model-supplied reference numbers are dropped: only verified references may be cited.
            Diagnoses.Select(d => new Diagnosis(d.Title, Icd10Catalog.Normalize(d.Icd10Code), d.Laterality, d.Confidence, d.Bullets, [], d.Evidence, EvidenceLocator.Found(d.Evidence, sourceText))).ToList(),
            Plan.Select(p => new PlanItem(p.Title, p.Bullets, [])).ToList(),
            Warnings,
            codes,
            new QualityScore(QualityScore!.Score, QualityScore.Label, QualityScore.Issues, QualityScore.Suggestions),
            CodeTable: catalog.Installed ? catalog.TableName : null,
            PatientBirthDate: Stated(PatientBirthDate),
            PatientIdentifier: Stated(PatientIdentifier),
            EncounterDate: Stated(EncounterDate));
    }
}

/// <summary>A date as a document states it: a real calendar date, year, or year and month (FHIR's date type).</summary>
public static class StatedDate
{
    public static bool IsValid(string value) => value.Trim() switch
    {
        { Length: 4 } y => int.TryParse(y, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year) && year >= 1800,
        { Length: 7 } ym => DateOnly.TryParseExact(ym + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) && d.Year >= 1800,
        { Length: 10 } ymd => DateOnly.TryParseExact(ymd, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) && d.Year >= 1800,
        _ => false,
    };
}

public sealed class DiagnosisDto
{
    public string Title { get; set; } = "";

    [JsonPropertyName("icd10_code")]
    public string Icd10Code { get; set; } = "";

    public string Laterality { get; set; } = "";

    public double Confidence { get; set; }

    public List<string> Bullets { get; set; } = [];

    public List<int> ReferenceNumbers { get; set; } = [];

    public string Evidence { get; set; } = "";
}

public sealed class PlanDto
{
    public string Title { get; set; } = "";

    public List<string> Bullets { get; set; } = [];

    public List<int> ReferenceNumbers { get; set; } = [];
}

public sealed class CodeDto
{
    public string Code { get; set; } = "";

    public string Description { get; set; } = "";

    public bool Primary { get; set; }
}

public sealed class QualityDto
{
    public int Score { get; set; }

    public string Label { get; set; } = "";

    public List<string> Issues { get; set; } = [];

    public List<string> Suggestions { get; set; } = [];
}
