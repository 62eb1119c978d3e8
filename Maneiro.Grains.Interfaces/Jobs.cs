namespace Maneiro.Grains.Interfaces;

[GenerateSerializer]
public enum JobStage
{
    Received = 0,
    Extracting = 1,
    Ocr = 2,
    Transcribing = 3,
    Analyzing = 4,
    Referencing = 5,
    Validating = 6,
    Complete = 7,
    Failed = 8,
    Canceled = 9,

    // Letter generation reuses the job machinery and its progress events with stages of its own.
    LoadingContext = 10,
    Drafting = 11,
    Formatting = 12,
}

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
    Unverified = 0,
    Valid = 1,
    Invalid = 2,
}

/// <summary>What the user submitted: the input is already stored as an encrypted blob under <see cref="BlobKey"/>.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.JobRequest")]
public sealed record JobRequest(
    [property: Id(0)] string OwnerId,
    [property: Id(1)] string BlobKey,
    [property: Id(2)] InputKind Kind,
    [property: Id(3)] string MediaType,
    [property: Id(4)] long SizeBytes,
    [property: Id(5)] string Specialty,
    [property: Id(6)] bool ForceOcr);

[GenerateSerializer, Immutable, Alias("Maneiro.StageEntry")]
public sealed record StageEntry(
    [property: Id(0)] JobStage Stage,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset? EndedAt);

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
    [property: Id(5)] bool? Billable);

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

/// <summary>The structured analysis. Every string came from the model: pages must render it encoded.</summary>
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
    [property: Id(10)] IReadOnlyList<Reference>? References = null);

/// <summary>A job as pages and the API see it.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.JobStatus")]
public sealed record JobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] JobStage Stage,
    [property: Id(3)] int Percent,
    [property: Id(4)] IReadOnlyList<StageEntry> History,
    [property: Id(5)] string? Error,
    [property: Id(6)] TextSource TextSource,
    [property: Id(7)] string? ExtractedText,
    [property: Id(8)] AnalysisResult? Result,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] InputKind Kind,
    [property: Id(11)] string Specialty,
    [property: Id(12)] int TokensUsed,
    [property: Id(13)] IReadOnlyList<double> OcrPageConfidence)
{
    public bool IsFinished => Stage is JobStage.Complete or JobStage.Failed or JobStage.Canceled;
}

/// <summary>One progress event, pushed to the job's owner as it happens.</summary>
[GenerateSerializer, Immutable, Alias("Maneiro.JobProgress")]
public sealed record JobProgress(
    [property: Id(0)] string JobId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] JobStage Stage,
    [property: Id(3)] int Percent,
    [property: Id(4)] string? Error,
    [property: Id(5)] DateTimeOffset At);

/// <summary>One analysis job, keyed by its generated id. Orchestrates extraction, OCR, transcription and the LLM.</summary>
[Alias("Maneiro.AnalysisJob")]
public interface IAnalysisJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job; calling it again for the same job changes nothing.</summary>
    [Alias("Start")]
    Task<JobStatus> Start(JobRequest request);

    /// <summary>The job's state, or null when there is no such job.</summary>
    [Alias("GetStatus")]
    Task<JobStatus?> GetStatus();

    [Alias("Cancel")]
    Task<JobStatus?> Cancel();

    /// <summary>Removes the input blob and the results; the job then reads as not found.</summary>
    [Alias("Delete")]
    Task<bool> Delete();
}

/// <summary>Each user's list of jobs, newest first (the history page).</summary>
[Alias("Maneiro.JobIndex")]
public interface IJobIndexGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string jobId, DateTimeOffset createdAt);

    [Alias("Remove")]
    Task Remove(string jobId);

    [Alias("Page")]
    Task<IReadOnlyList<string>> Page(int skip, int take);

    [Alias("Count")]
    Task<int> Count();
}
