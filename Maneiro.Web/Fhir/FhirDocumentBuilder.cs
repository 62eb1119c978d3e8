using System.Globalization;
using System.Security;
using System.Text;
using Hl7.Fhir.Model;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Fhir;

/// <summary>The signing clinician, as the letterhead names them.</summary>
public sealed record FhirAuthor(string UserId, string Name, string Credentials);

/// <summary>A signed letter whose code checks are resolved, rendered as its PDF.</summary>
public sealed record FhirLetter(string LetterId, LetterKind Kind, string Subject, byte[] Pdf, string FileName, DateOnly SignedOn);

/// <summary>Everything a FHIR export of one analysis carries.</summary>
public sealed record FhirExportInput(
    string AnalysisId,
    AnalysisResult Result,
    FhirAuthor Author,
    string PatientIdentifierSystem,
    FhirLetter? Letter,
    DateTimeOffset CreatedAt);

/// <summary>
/// Builds an analysis as FHIR R4 resources: a <c>document</c> Bundle to download, or a <c>transaction</c> Bundle of the
/// same resources to post to an EHR. Only what the analysis holds goes in: the patient's name, birth date and record
/// number only when the document stated them, ICD-10-CM codings only for codes that passed the checks (others stay as
/// text), and a letter only when it is signed. Empty strings are never written (FHIR forbids them).
/// </summary>
public static class FhirDocumentBuilder
{
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Loinc = "http://loinc.org";
    public const string ManeiroUserSystem = "urn:maneiro:user";

    public static Bundle Document(FhirExportInput input)
    {
        var parts = Parts.From(input);
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Document,
            Identifier = new Identifier("urn:ietf:rfc:3986", Urn()),
            Timestamp = input.CreatedAt,
        };
        foreach (var (url, resource) in parts.All())
        {
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = url, Resource = resource });
        }

        return bundle;
    }

    /// <summary>The same resources as a transaction; the patient and clinician are created only if the server lacks them.</summary>
    public static Bundle Transaction(FhirExportInput input)
    {
        var parts = Parts.From(input);
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var (url, resource) in parts.All())
        {
            var request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName };
            if (resource is Patient { Identifier: [var mrn, ..] })
            {
                request.IfNoneExist = $"identifier={mrn.System}|{mrn.Value}";
            }
            else if (resource is Practitioner { Identifier: [var user, ..] })
            {
                request.IfNoneExist = $"identifier={user.System}|{user.Value}";
            }

            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = url, Resource = resource, Request = request });
        }

        return bundle;
    }

    private static string Urn() => "urn:uuid:" + Guid.NewGuid().ToString("D");

    private sealed record Parts(
        (string Url, Composition Resource) Composition,
        (string Url, Patient Resource) Patient,
        (string Url, Practitioner Resource) Practitioner,
        IReadOnlyList<(string Url, Condition Resource)> Conditions,
        (string Url, DocumentReference Resource)? Letter)
    {
        public IEnumerable<(string Url, Resource Resource)> All()
        {
            // A document's first entry is its Composition (bdl-11).
            yield return (Composition.Url, Composition.Resource);
            yield return (Patient.Url, Patient.Resource);
            yield return (Practitioner.Url, Practitioner.Resource);
            foreach (var (url, condition) in Conditions)
            {
                yield return (url, condition);
            }

            if (Letter is { } letter)
            {
                yield return (letter.Url, letter.Resource);
            }
        }

        public static Parts From(FhirExportInput input)
        {
            var result = input.Result;
            var patient = (Urn(), PatientOf(input));
            var practitioner = (Urn(), PractitionerOf(input.Author));
            var subject = new ResourceReference(patient.Item1);
            var author = new ResourceReference(practitioner.Item1);
            var conditions = result.Diagnoses.Select(d => (Urn(), ConditionOf(d, result, subject, author))).ToList();
            (string, DocumentReference)? letter = input.Letter is { } signed ? (Urn(), LetterOf(signed, subject, author)) : null;
            var composition = (Urn(), CompositionOf(input, subject, author, conditions.Select(c => c.Item1), letter?.Item1));
            return new Parts(composition, patient, practitioner, conditions, letter);
        }
    }

    private static Patient PatientOf(FhirExportInput input)
    {
        var result = input.Result;
        var patient = new Patient();
        if (Text(result.PatientName) is { } name)
        {
            patient.Name.Add(new HumanName { Text = name });
        }

        if (result.PatientBirthDate is { } born && StatedDate.IsValid(born))
        {
            patient.BirthDate = born;
        }

        if (Text(result.PatientIdentifier) is { } mrn)
        {
            patient.Identifier.Add(new Identifier(input.PatientIdentifierSystem, mrn)
            {
                Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number"),
            });
        }

        patient.Text = Narrative(string.Join(", ", new[] { Text(result.PatientName), result.PatientBirthDate is { } b ? "born " + b : null, Text(result.PatientIdentifier) is { } m ? "record number " + m : null }.OfType<string>().DefaultIfEmpty("Patient not named in the document")));
        return patient;
    }

    private static Practitioner PractitionerOf(FhirAuthor author)
    {
        var name = Text(author.Name) ?? "Signing clinician";
        var practitioner = new Practitioner
        {
            Identifier = [new Identifier(ManeiroUserSystem, author.UserId)],
            Name = [new HumanName { Text = name, Suffix = Text(author.Credentials) is { } c ? [c] : [] }],
        };
        practitioner.Text = Narrative(Text(author.Credentials) is { } credentials ? $"{name}, {credentials}" : name);
        return practitioner;
    }

    private static Condition ConditionOf(Diagnosis diagnosis, AnalysisResult result, ResourceReference subject, ResourceReference author)
    {
        var title = Text(diagnosis.Title) ?? diagnosis.Icd10Code;
        var code = new CodeableConcept { Text = title };
        var checkedCode = result.Icd10Codes.FirstOrDefault(c => c.Code == diagnosis.Icd10Code && c.Check == CodeCheck.Valid);
        if (checkedCode is not null)
        {
            code.Coding.Add(new Coding(Icd10Cm, checkedCode.Code, Text(checkedCode.OfficialDescription ?? checkedCode.Description)));
        }

        var condition = new Condition
        {
            Subject = subject,
            Asserter = author,
            Code = code,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis")],
            // Drafted by a model from the document and reviewed by the clinician: the EHR decides whether it is confirmed.
            VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "provisional", "Provisional"),
        };
        if (result.EncounterDate is { } encountered && StatedDate.IsValid(encountered))
        {
            condition.RecordedDateElement = new FhirDateTime(encountered);
        }

        if (Text(diagnosis.Laterality) is { } side && side is not ("not applicable" or "unspecified"))
        {
            condition.BodySite.Add(new CodeableConcept { Text = side });
        }

        if (Text(diagnosis.Evidence) is { } evidence)
        {
            condition.Note.Add(new Annotation { Text = new Markdown($"Evidence in the source document{(diagnosis.EvidenceFound ? "" : " (not found word for word)")}: \"{evidence}\"") });
        }

        foreach (var bullet in diagnosis.Bullets.Select(Text).OfType<string>())
        {
            condition.Note.Add(new Annotation { Text = new Markdown(bullet) });
        }

        var codeLine = checkedCode is null
            ? diagnosis.Icd10Code.Length > 0 ? $"{diagnosis.Icd10Code} (not verified as billable; not coded)" : null
            : $"ICD-10-CM {checkedCode.Code}";
        condition.Text = Narrative(string.Join(" — ", new[] { title, codeLine }.OfType<string>()));
        return condition;
    }

    private static DocumentReference LetterOf(FhirLetter letter, ResourceReference subject, ResourceReference author)
    {
        var (code, display) = LetterType(letter.Kind);
        var title = Text(letter.Subject) ?? display;
        return new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            DocStatus = CompositionStatus.Final,
            Type = new CodeableConcept(Loinc, code, display) { Text = title },
            Subject = subject,
            Author = [author],
            Authenticator = author,
            Date = new DateTimeOffset(letter.SignedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            Description = title,
            Content =
            [
                new DocumentReference.ContentComponent
                {
                    // No size: SDK 6 writes it as integer64 (R5), which R4 profiles reject.
                    Attachment = new Attachment { ContentType = "application/pdf", Data = letter.Pdf, Title = letter.FileName },
                },
            ],
            Text = Narrative($"{title} (signed letter, PDF)"),
        };
    }

    private static (string Code, string Display) LetterType(LetterKind kind) => kind switch
    {
        LetterKind.Referral or LetterKind.UrgentReferral => ("57133-1", "Referral note"),
        LetterKind.PatientSummary => ("60591-5", "Patient summary Document"),
        _ => ("34109-9", "Note"),
    };

    private static Composition CompositionOf(FhirExportInput input, ResourceReference subject, ResourceReference author, IEnumerable<string> conditions, string? letter)
    {
        var result = input.Result;
        var composition = new Composition
        {
            Status = CompositionStatus.Final,
            Type = new CodeableConcept(Loinc, "34109-9", "Note") { Text = "Clinical documentation analysis" },
            Subject = subject,
            DateElement = new FhirDateTime(input.CreatedAt),
            Author = [author],
            Title = Text(result.PatientName) is { } name ? $"Clinical analysis — {name}" : "Clinical analysis",
            Identifier = new Identifier("urn:maneiro:analysis", input.AnalysisId),
        };
        if (result.EncounterDate is { } encountered && StatedDate.IsValid(encountered))
        {
            composition.Event.Add(new Composition.EventComponent { Period = new Period { StartElement = new FhirDateTime(encountered) } });
        }

        composition.Section.Add(Section("Summary", "Summary", "48765-2", EhrText.Summary(result), []));
        composition.Section.Add(Section("Assessment", "Assessment", "51848-0", EhrText.Assessment(result), conditions));
        composition.Section.Add(Section("Plan", "Plan of care", "18776-5", EhrText.Plan(result), []));
        if (result.References is { Count: > 0 } references)
        {
            composition.Section.Add(Section("References", null, null, string.Join("\n\n", references.Select(Citation)), []));
        }

        if (letter is not null)
        {
            composition.Section.Add(Section("Letter", null, null, $"{Text(input.Letter!.Subject) ?? "Letter"} — signed {input.Letter.SignedOn:yyyy-MM-dd}", [letter]));
        }

        composition.Text = Narrative(composition.Title);
        return composition;
    }

    /// <summary>A reference as a citation: number, title, journal, year, PMID and its PubMed address.</summary>
    public static string Citation(Reference reference) =>
        string.Create(CultureInfo.InvariantCulture, $"[{reference.Number}] {EhrText.OneParagraph(reference.Title)} {EhrText.OneParagraph(reference.Journal)}. {reference.Year}. PMID {reference.Pmid}. {reference.Url}");

    private static Composition.SectionComponent Section(string title, string? display, string? loinc, string text, IEnumerable<string> entries)
    {
        var section = new Composition.SectionComponent
        {
            Title = title,
            Code = loinc is null ? null : new CodeableConcept(Loinc, loinc, display),
            Text = Narrative(text.Length == 0 ? $"No {title.ToLowerInvariant()} was stated." : text),
        };
        section.Entry.AddRange(entries.Select(e => new ResourceReference(e)));
        return section;
    }

    /// <summary>Generated narrative: each paragraph a &lt;p&gt;, XML-escaped, with characters XML forbids removed.</summary>
    private static Narrative Narrative(string text)
    {
        var div = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        foreach (var paragraph in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            div.Append("<p>").Append(SecurityElement.Escape(XmlSafe(paragraph))).Append("</p>");
        }

        return new Narrative { Status = Hl7.Fhir.Model.Narrative.NarrativeStatus.Generated, Div = div.Append("</div>").ToString() };
    }

    private static string XmlSafe(string text) => new(text.Where(c => c is '\t' or '\n' or '\r' || (c >= ' ' && c != '\uFFFE' && c != '\uFFFF')).ToArray());

    /// <summary>Trimmed text with characters FHIR strings forbid removed, or null when nothing is left.</summary>
    private static string? Text(string? value) => value is null ? null : XmlSafe(value).Trim() is { Length: > 0 } t ? t : null;
}
