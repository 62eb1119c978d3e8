namespace Maneiro.Grains.Domain;

/// <summary>
/// The one round in which the model is asked to correct its own codes: which codes need it (invalid, or a header
/// that is not billable), and what to keep of its answer (a correction only when it passes the check; otherwise the
/// original stays, with its check, for the clinician to see).
/// </summary>
public static class CodeRepairRound
{
    public static IReadOnlyList<Services.CodeToRepair> Needed(AnalysisDocument document, Icd10Catalog catalog)
    {
        if (!catalog.Installed)
        {
            return [];
        }

        var written = document.Icd10Codes.Select(c => (Code: c.Code, About: c.Description))
            .Concat(document.Diagnoses.Select(d => (Code: d.Icd10Code, About: d.Title)));
        List<Services.CodeToRepair> needed = [];
        foreach (var (code, about) in written)
        {
            var normalized = Icd10Catalog.Normalize(code);
            if (normalized.Length == 0 || needed.Any(n => n.Code == normalized))
            {
                continue;
            }

            var finding = catalog.Check(normalized);
            if (finding.Check is Interfaces.CodeCheck.Invalid or Interfaces.CodeCheck.NotBillable)
            {
                needed.Add(new(normalized, about, finding.Reason, finding.BillableChildren.Select(c => $"{c.Dotted} {c.Description}").ToList()));
            }
        }

        return needed;
    }

    /// <summary>Applies the corrections that pass their check to the document; returns what changed, in words for the page.</summary>
    public static IEnumerable<string> Apply(AnalysisDocument document, IReadOnlyList<Services.CodeToRepair> asked, IReadOnlyList<Services.CodeRepair> answered, Icd10Catalog catalog)
    {
        foreach (var question in asked)
        {
            var answer = answered.FirstOrDefault(a => Icd10Catalog.Normalize(a.From) == question.Code);
            var corrected = answer is null || string.IsNullOrWhiteSpace(answer.To) ? null : Icd10Catalog.Normalize(answer.To);
            if (corrected is null || catalog.Check(corrected).Check != Interfaces.CodeCheck.Valid)
            {
                yield return $"ICD-10 code {question.Code} could not be corrected automatically: {question.Problem} Choose the code yourself.";
                continue;
            }

            foreach (var code in document.Icd10Codes.Where(c => Icd10Catalog.Normalize(c.Code) == question.Code))
            {
                code.Code = corrected;
            }

            foreach (var diagnosis in document.Diagnoses.Where(d => Icd10Catalog.Normalize(d.Icd10Code) == question.Code))
            {
                diagnosis.Icd10Code = corrected;
            }

            yield return $"ICD-10 code {question.Code} was corrected to {corrected} by a second check ({question.Problem.TrimEnd('.')}).";
        }
    }
}
