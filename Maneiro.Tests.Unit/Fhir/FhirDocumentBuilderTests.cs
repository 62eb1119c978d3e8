// The Firely models mark every element nullable; these tests assert the elements are there.
#nullable disable warnings
using Hl7.Fhir.Model;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Web.Fhir;

namespace Maneiro.Tests.Unit.Fhir;

/// <summary>The validator loads the R4 profiles once for the class (seconds); every test validates what it builds.</summary>
public sealed class FhirDocumentBuilderTests(FhirBundleValidator validator) : IClassFixture<FhirBundleValidator>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 15, 30, 0, TimeSpan.Zero);

    private static AnalysisResult Result(string? birthDate = "1958-03-14", string? mrn = "MRN-448812", string? encounter = "2026-11-30") => FhirSamples.Result(birthDate, mrn, encounter);

    private static FhirExportInput Input(AnalysisResult? result = null, FhirLetter? letter = null) => FhirSamples.Input(result ?? Result(), letter, Now);

    private static readonly FhirLetter SignedLetter = FhirSamples.SignedLetter([0x25, 0x50, 0x44, 0x46, 0x2d]);

    [Fact]
    public void The_document_has_the_composition_first_then_the_patient_the_clinician_a_condition_per_diagnosis_and_the_letter()
    {
        var bundle = FhirDocumentBuilder.Document(Input(letter: SignedLetter));

        Assert.Equal(Bundle.BundleType.Document, bundle.Type);
        Assert.NotNull(bundle.Identifier?.Value);
        Assert.Equal(["Composition", "Patient", "Practitioner", "Condition", "Condition", "DocumentReference"], bundle.Entry.Select(e => e.Resource.TypeName));

        var composition = (Composition)bundle.Entry[0].Resource;
        Assert.Equal(["Summary", "Assessment", "Plan", "References", "Letter"], composition.Section.Select(s => s.Title));
        Assert.Equal("2026-11-30", composition.Event.Single().Period.Start);
        Assert.Contains("PMID 12345678", composition.Section[3].Text.Div, StringComparison.Ordinal);

        // Every reference inside the document points at one of its entries.
        var urls = bundle.Entry.Select(e => e.FullUrl).ToHashSet();
        var conditionUrls = bundle.Entry.Where(e => e.Resource is Condition).Select(e => e.FullUrl).ToList();
        Assert.Equal(conditionUrls, composition.Section[1].Entry.Select(r => r.Reference));
        Assert.Contains(composition.Subject.Reference, urls);
        Assert.Contains(composition.Author.Single().Reference, urls);
        Assert.Equal(bundle.Entry[5].FullUrl, composition.Section[4].Entry.Single().Reference);
    }

    [Fact]
    public void The_patient_holds_only_what_the_document_stated()
    {
        var stated = (Patient)FhirDocumentBuilder.Document(Input()).Entry[1].Resource;
        Assert.Equal("John Carter", stated.Name.Single().Text);
        Assert.Equal("1958-03-14", stated.BirthDate);
        Assert.Equal(("urn:oid:2.16.840.1.113883.19.5", "MRN-448812"), (stated.Identifier.Single().System, stated.Identifier.Single().Value));

        var unstated = (Patient)FhirDocumentBuilder.Document(Input(Result(birthDate: null, mrn: null, encounter: null))).Entry[1].Resource;
        Assert.Null(unstated.BirthDate);
        Assert.Empty(unstated.Identifier);
        Assert.Empty(unstated.Gender is null ? [] : new[] { unstated.Gender });
    }

    [Fact]
    public void Only_codes_that_passed_the_checks_are_coded_in_icd10cm_the_others_stay_text_and_the_evidence_is_a_note()
    {
        var conditions = FhirDocumentBuilder.Document(Input()).Entry.Select(e => e.Resource).OfType<Condition>().ToList();

        var coded = conditions[0];
        var coding = coded.Code.Coding.Single();
        Assert.Equal((FhirDocumentBuilder.Icd10Cm, "H40.1112", "Primary open-angle glaucoma, right eye, moderate stage"), (coding.System, coding.Code, coding.Display));
        Assert.Contains("\"Intraocular pressure 24 mmHg right\"", coded.Note[0].Text, StringComparison.Ordinal);
        Assert.Equal("right", coded.BodySite.Single().Text);
        Assert.Equal("2026-11-30", coded.RecordedDate);

        var unchecked_ = conditions[1];
        Assert.Empty(unchecked_.Code.Coding);
        Assert.Equal("Glaucoma, unspecified", unchecked_.Code.Text);
        Assert.Contains("not found word for word", unchecked_.Note[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_letter_is_its_signed_pdf()
    {
        var reference = FhirDocumentBuilder.Document(Input(letter: SignedLetter)).Entry.Select(e => e.Resource).OfType<DocumentReference>().Single();
        var attachment = reference.Content.Single().Attachment;
        Assert.Equal("application/pdf", attachment.ContentType);
        Assert.Equal(SignedLetter.Pdf, attachment.Data);
        Assert.Equal("57133-1", reference.Type.Coding.Single().Code);
        Assert.NotNull(reference.Authenticator);

        Assert.DoesNotContain(FhirDocumentBuilder.Document(Input()).Entry, e => e.Resource is DocumentReference);
    }

    [Fact]
    public void Documents_and_transactions_validate_against_the_r4_profiles_even_with_hostile_text()
    {
        var hostile = Result() with
        {
            PatientName = "<script>alert(1)</script> & \u0001Carter",
            Summary = "Pressure ]]> high\n\n\u0007",
            PatientIdentifier = "  ",
        };
        foreach (var bundle in new[] { FhirDocumentBuilder.Document(Input(letter: SignedLetter)), FhirDocumentBuilder.Transaction(Input()), FhirDocumentBuilder.Document(Input(hostile)), FhirDocumentBuilder.Document(Input(Result(null, null, null))) })
        {
            var errors = validator.Errors(bundle);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }

    [Fact]
    public void A_broken_bundle_fails_validation_loudly()
    {
        var bundle = FhirDocumentBuilder.Document(Input());
        var condition = bundle.Entry.Select(e => e.Resource).OfType<Condition>().First();
        condition.Subject = null;

        var thrown = Assert.Throws<InvalidFhirBundleException>(() => validator.Checked(bundle));
        Assert.Contains(thrown.Errors, e => e.Contains("subject", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_transaction_creates_the_patient_only_if_the_server_has_no_one_with_that_record_number()
    {
        var entries = FhirDocumentBuilder.Transaction(Input()).Entry;
        Assert.All(entries, e => Assert.Equal(Bundle.HTTPVerb.POST, e.Request.Method));
        Assert.Equal("identifier=urn:oid:2.16.840.1.113883.19.5|MRN-448812", entries[1].Request.IfNoneExist);
        Assert.Equal("identifier=urn:maneiro:user|user-1", entries[2].Request.IfNoneExist);

        var anonymous = FhirDocumentBuilder.Transaction(Input(Result(mrn: null))).Entry;
        Assert.Null(anonymous[1].Request.IfNoneExist);
    }
}
