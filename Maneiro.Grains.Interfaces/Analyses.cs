namespace Maneiro.Grains.Interfaces;

[GenerateSerializer]
public enum InputKind
{
    Text = 0,
    Pdf = 1,
    Image = 2,
    Audio = 3,
}

[GenerateSerializer]
public enum TextSource
{
    None = 0,
    TextLayer = 1,
    Ocr = 2,
    Transcript = 3,
    Pasted = 4,
}

[GenerateSerializer]
public enum CodeCheck
{
    /// <summary>No table was loaded (analyses saved before the table was bundled).</summary>
    Unverified = 0,

    /// <summary>In the loaded table and billable.</summary>
    Valid = 1,

    /// <summary>Malformed, or its category exists in no table Maneiro knows.</summary>
    Invalid = 2,

    /// <summary>A category or subcategory in the table: it needs more characters to be billed.</summary>
    NotBillable = 3,

    /// <summary>Its category exists but the code is not in the loaded table: possibly newer; never shown as valid.</summary>
    Verify = 4,
}

[GenerateSerializer, Immutable, Alias("Maneiro.Diagnosis")]
public sealed record Diagnosis(
    [property: Id(0)] string Title,
    [property: Id(1)] string Icd10Code,
    [property: Id(2)] string Laterality,
    [property: Id(3)] double Confidence,
    [property: Id(4)] IReadOnlyList<string> Bullets,
    [property: Id(5)] IReadOnlyList<int> ReferenceNumbers,
    [property: Id(6)] string Evidence,
    [property: Id(7)] bool EvidenceFound);

[GenerateSerializer, Immutable, Alias("Maneiro.PlanItem")]
public sealed record PlanItem(
    [property: Id(0)] string Title,
    [property: Id(1)] IReadOnlyList<string> Bullets,
    [property: Id(2)] IReadOnlyList<int> ReferenceNumbers);

[GenerateSerializer, Immutable, Alias("Maneiro.CodeEntry")]
public sealed record CodeEntry(
    [property: Id(0)] string Code,
    [property: Id(1)] string Description,
    [property: Id(2)] bool Primary,
    [property: Id(3)] CodeCheck Check,
    [property: Id(4)] string? OfficialDescription,
    [property: Id(5)] bool? Billable,
    [property: Id(6)] string? CheckReason = null,
    [property: Id(7)] IReadOnlyList<string>? BillableChildren = null);

[GenerateSerializer, Immutable, Alias("Maneiro.QualityScore")]
public sealed record QualityScore(
    [property: Id(0)] int Score,
    [property: Id(1)] string Label,
    [property: Id(2)] IReadOnlyList<string> Issues,
    [property: Id(3)] IReadOnlyList<string> Suggestions);

/// <summary>A citation fetched from PubMed and confirmed there: never supplied by the model.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.Reference")]
public sealed record Reference(
    [property: Id(0)] int Number,
    [property: Id(1)] string Pmid,
    [property: Id(2)] string Title,
    [property: Id(3)] string Journal,
    [property: Id(4)] int Year,
    [property: Id(5)] string Kind,
    [property: Id(6)] bool Curated)
{
    public string Url => $"https://pubmed.ncbi.nlm.nih.gov/{Pmid}/";
}

/// <summary>
/// The structured analysis. Every string came from the model: pages must render it encoded. The birth date, record
/// number and encounter date are present only when the document stated them (prompt v2 on; ISO dates, possibly partial).
/// </summary>
[GenerateSerializer, Immutable, Alias("Maneiro.AnalysisResult")]
public sealed record AnalysisResult(
    [property: Id(0)] string ProviderName,
    [property: Id(1)] string PatientName,
    [property: Id(2)] string PatientBlock,
    [property: Id(3)] string Summary,
    [property: Id(4)] string PatientSummary,
    [property: Id(5)] IReadOnlyList<Diagnosis> Diagnoses,
    [property: Id(6)] IReadOnlyList<PlanItem> Plan,
    [property: Id(7)] IReadOnlyList<string> Warnings,
    [property: Id(8)] IReadOnlyList<CodeEntry> Icd10Codes,
    [property: Id(9)] QualityScore Quality,
    [property: Id(10)] IReadOnlyList<Reference>? References = null,
    [property: Id(11)] string? CodeTable = null,
    [property: Id(12)] string? PatientBirthDate = null,
    [property: Id(13)] string? PatientIdentifier = null,
    [property: Id(14)] string? EncounterDate = null);

/// <summary>How a recording is transcribed and whether its transcript waits for review before the model reads it.</summary>
/// <param name="Language">An ISO 639-1 code the speech service is told (en, es, pt, fr), or null to let it detect the language.</param>
/// <param name="LiveVisit">Several speakers (a visit, not a dictation): speakers are labelled where the service can.</param>
/// <param name="Review">The job pauses after transcription until its author analyzes (perhaps after editing) or discards it.</param>
[GenerateSerializer, Immutable, Alias("Maneiro.SpeechOptions")]
public sealed record SpeechOptions(
    [property: Id(0)] string? Language,
    [property: Id(1)] bool LiveVisit,
    [property: Id(2)] bool Review)
{
    /// <summary>The languages offered for recordings, by code; the empty code means "detect it".</summary>
    public static IReadOnlyList<(string Code, string Name)> Languages { get; } = [("", "Detect automatically"), ("en", "English"), ("es", "Spanish"), ("pt", "Portuguese"), ("fr", "French")];

    public static bool IsOffered(string? code) => Languages.Any(l => l.Code == (code ?? ""));
}

/// <summary>
/// What the user submitted: the input is already stored as an encrypted blob under <see cref="BlobKey"/>.
/// <see cref="AllowanceReserved"/>: the submitter reserved the owner's unit under the job's id just before starting it
/// (an upload, so a refusal stores nothing), and the start need not ask again; a job started without it reserves for
/// itself and fails when the plan says no.
/// </summary>
[GenerateSerializer, Immutable, Alias("Maneiro.JobRequest")]
public sealed record AnalysisRequest(
    [property: Id(0)] string OwnerId,
    [property: Id(1)] string BlobKey,
    [property: Id(2)] InputKind Kind,
    [property: Id(3)] string MediaType,
    [property: Id(4)] long SizeBytes,
    [property: Id(5)] string Specialty,
    [property: Id(6)] bool ForceOcr,
    [property: Id(7)] string? SubmittedBy = null,
    [property: Id(8)] TextSource? ReadBy = null,
    [property: Id(9)] string? IntakeItemId = null,
    [property: Id(10)] SpeechOptions? Speech = null,
    [property: Id(11)] bool AllowanceReserved = false)
{
    /// <summary>A staff member who uploaded it for the owning clinician; they may follow it and draft their letters from it.</summary>
    public string? OnBehalfBy => SubmittedBy is { } by && by != OwnerId ? by : null;
}

/// <summary>A PDF's text layer and page count as the upload read them (at most the analysed length of text).</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.UploadTextLayer")]
public sealed record UploadTextLayer([property: Id(0)] string Text, [property: Id(1)] int PageCount);

/// <summary>What a history row shows of a completed analysis; empty strings until it completes.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.AnalysisHeadline")]
public sealed record AnalysisHeadline(
    [property: Id(0)] string PatientName,
    [property: Id(1)] string PrimaryDiagnosis,
    [property: Id(2)] string SummaryLine,
    [property: Id(3)] IReadOnlyList<string>? Codes = null)
{
    public static AnalysisHeadline Empty { get; } = new("", "", "");
}

/// <summary>
/// An analysis's progress: small and cheap to read (status polls, hub subscriptions, history rows). The extracted
/// text and the result are in <see cref="AnalysisOutput"/>, read only where they are shown.
/// </summary>
[GenerateSerializer, Immutable, Alias("Maneiro.AnalysisProgress")]
public sealed record AnalysisProgress(
    [property: Id(0)] string JobId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] JobStage Stage,
    [property: Id(3)] int Percent,
    [property: Id(4)] IReadOnlyList<StageEntry> History,
    [property: Id(5)] string? Error,
    [property: Id(6)] TextSource TextSource,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] InputKind Kind,
    [property: Id(9)] string Specialty,
    [property: Id(10)] int TokensUsed,
    [property: Id(11)] IReadOnlyList<double> OcrPageConfidence,
    [property: Id(12)] AnalysisHeadline Headline,
    [property: Id(13)] string? SubmittedBy = null,
    [property: Id(14)] DateTimeOffset? AudioDeletedAt = null)
{
    public bool IsFinished => JobStages.IsTerminal(Stage);
}

/// <summary>An analysis's output: the text it read and, once complete, the structured result.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.AnalysisOutput")]
public sealed record AnalysisOutput(
    [property: Id(0)] string? ExtractedText,
    [property: Id(1)] AnalysisResult? Result,
    [property: Id(2)] string? OriginalTranscript = null);

/// <summary>One analysis, keyed by its generated id. Orchestrates extraction, OCR, transcription and the LLM.</summary>
[Alias("Maneiro.AnalysisJob")]
public interface IAnalysisGrain : IGrainWithStringKey
{
    /// <summary>Starts the analysis; calling it again for the same id changes nothing.</summary>
    [Alias("Start")]
    Task<AnalysisProgress> Start(AnalysisRequest request);

    /// <summary>
    /// Starts the analysis of a PDF whose text layer the upload read already (in the same limited child process that
    /// checked it), so the extraction stage does not parse the document a second time. The text is a hint held in
    /// memory only: an analysis resumed on another activation reads the stored PDF itself.
    /// </summary>
    [Alias("StartWithTextLayer")]
    Task<AnalysisProgress> StartWithTextLayer(AnalysisRequest request, UploadTextLayer textLayer);

    /// <summary>The analysis's progress, or null when there is no such analysis.</summary>
    [Alias("GetProgress")]
    Task<AnalysisProgress?> GetProgress();

    /// <summary>What was submitted (where its input is stored), or null when there is no such analysis.</summary>
    [Alias("Request")]
    Task<AnalysisRequest?> Request();

    /// <summary>The extracted text and result, or null when there is no such analysis.</summary>
    [Alias("GetResult")]
    Task<AnalysisOutput?> GetResult();

    [Alias("Cancel")]
    Task<AnalysisProgress?> Cancel();

    /// <summary>
    /// Ends the transcript review and analyzes: with <paramref name="editedTranscript"/> (kept as a new version next to the
    /// original) or, when null, the transcript as transcribed. Null when there is no such analysis; an analysis not
    /// waiting for review is returned unchanged.
    /// </summary>
    [Alias("AnalyzeTranscript")]
    Task<AnalysisProgress?> AnalyzeTranscript(string? editedTranscript);

    /// <summary>
    /// Hands the analysis and its letters to another member of the clinic (the owner erased their account); a running
    /// analysis is canceled first. Returns false when there is no such analysis.
    /// </summary>
    [Alias("TransferTo")]
    Task<bool> TransferTo(string newOwnerId);

    /// <summary>Removes the input blob, the output and the letters; the analysis then reads as not found.</summary>
    [Alias("Delete")]
    Task<bool> Delete();
}
