using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Clinics;
using Maneiro.Web.Letters;

namespace Maneiro.Web.Fhir;

/// <summary>A letter of the analysis and, when it cannot go into the record, why.</summary>
public sealed record FhirLetterChoice(LetterStatus Letter, string? Ineligible);

/// <summary>The export's input, or why there is none (with the HTTP status an API answers).</summary>
public sealed record FhirExportAttempt(FhirExportInput? Input, string? Refusal, int Status = StatusCodes.Status409Conflict);

/// <summary>
/// Gathers what a FHIR export of one analysis holds (its result, the signing clinician from the letterhead, the
/// clinic's record-number system, and a signed letter's PDF), builds the Bundle and validates it: nothing leaves
/// unvalidated.
/// </summary>
public sealed class FhirExport(LetterAccess letters, LetterExport pdfs, IGrainFactory grains, TimeProvider time, FhirBundleValidator validator)
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).Pretty();

    /// <summary>The analysis's letters the viewer may see, each with why it cannot go into the record (or null).</summary>
    public async Task<IReadOnlyList<FhirLetterChoice>> LettersAsync(AnalysisProgress job, Membership viewer) =>
        (await letters.ForAnalysisAsync(job.JobId, job.OwnerId, viewer.UserId)).Select(l => new FhirLetterChoice(l, Ineligible(l, viewer))).ToList();

    private static string? Ineligible(LetterStatus letter, Membership viewer)
    {
        if (letter.Current is null)
        {
            return "not drafted yet";
        }

        if (letter.IsDraft)
        {
            return "not signed";
        }

        if (LetterCodes.Problems(letter.Current.Subject + "\n" + letter.Current.Body, letter.Context).Count > 0)
        {
            return "its ICD-10 codes under “Check before sending” are not resolved";
        }

        return viewer.Can(ClinicAction.ExportSignedLetter) ? null : "only a clinician can include a signed letter";
    }

    public async Task<FhirExportAttempt> InputAsync(AnalysisProgress job, AnalysisOutput output, Membership viewer, string? letterId, CancellationToken cancellationToken)
    {
        if (job.Stage != JobStage.Complete || output.Result is not { } result)
        {
            return new FhirExportAttempt(null, "The analysis is not complete yet: it can go into the record once it is.");
        }

        FhirLetter? letter = null;
        string signer = job.OwnerId;
        if (!string.IsNullOrEmpty(letterId))
        {
            var choice = (await LettersAsync(job, viewer)).FirstOrDefault(c => c.Letter.LetterId == letterId);
            if (choice is null)
            {
                return new FhirExportAttempt(null, "That letter is not one of this analysis's letters.", StatusCodes.Status404NotFound);
            }

            if (choice.Ineligible is { } why)
            {
                return new FhirExportAttempt(null, $"That letter cannot go into the record: {why}.");
            }

            var status = choice.Letter;
            signer = status.SignedBy!;
            var date = await LetterEndpoints.SignerTodayAsync(status, grains, time);
            var (pdf, refusal) = await pdfs.RenderAsync(viewer.UserId, LetterRender.Download, LetterViews.PdfInput(status, await letters.LetterheadAsync(status), date), cancellationToken);
            if (refusal != LetterExportRefusal.None)
            {
                return new FhirExportAttempt(null, pdfs.Explain(refusal), refusal == LetterExportRefusal.Busy ? StatusCodes.Status429TooManyRequests : StatusCodes.Status422UnprocessableEntity);
            }

            // Dated as the PDF is: the signer's today.
            letter = new FhirLetter(status.LetterId, status.Request.Kind, status.Current!.Subject, pdf!, LetterViews.FileName(status, date), date);
        }

        var head = await grains.GetGrain<ILetterheadGrain>(signer).Read();
        var author = new FhirAuthor(signer, head.ProviderName is { Length: > 0 } name ? name : result.ProviderName, head.Credentials);
        // The viewer's clinic: the one whose FHIR server the page offers (one may only see analyses of one's clinic).
        var system = (await grains.GetGrain<IClinicGrain>(viewer.ClinicId).FhirDestination())?.PatientIdentifierSystem ?? DefaultIdentifierSystem(viewer.ClinicId);
        return new FhirExportAttempt(new FhirExportInput(job.JobId, result, author, system, letter, time.GetUtcNow()), null, StatusCodes.Status200OK);
    }

    /// <summary>Record numbers are scoped to the clinic until its admin names the EHR's identifier system.</summary>
    public static string DefaultIdentifierSystem(string clinicId) => $"urn:maneiro:clinic:{clinicId}:record-number";

    /// <summary>The validated document Bundle (throws <see cref="InvalidFhirBundleException"/> on a builder bug).</summary>
    public Bundle Document(FhirExportInput input) => validator.Checked(FhirDocumentBuilder.Document(input));

    /// <summary>The validated transaction Bundle.</summary>
    public Bundle Transaction(FhirExportInput input) => validator.Checked(FhirDocumentBuilder.Transaction(input));

    public static string ToJson(Bundle bundle) => JsonSerializer.Serialize(bundle, Json);
}
