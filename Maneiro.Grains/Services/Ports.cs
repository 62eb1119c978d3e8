using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Services;

// The outside world as the grains see it: one small interface per external system, one adapter each in
// Maneiro.Infrastructure. Tests swap the far end (a fake server), or, for a stage rule, the interface itself.

public sealed record PdfText(string Text, int PageCount);

public sealed record OcrPage(int Number, string Text, double Confidence);

public sealed record OcrResult(IReadOnlyList<OcrPage> Pages)
{
    public string Text => string.Join("\n\n", Pages.Select(p => p.Text.Trim()));
}

public sealed record AnalyzerOutput(AnalysisDocument Document, int TokensUsed);

public sealed record LetterWriterOutput(string DraftJson, int TokensUsed);

/// <summary>A code the model wrote that failed its check: what it was for, what was wrong, and the billable codes under it when it was a header.</summary>
public sealed record CodeToRepair(string Code, string Diagnosis, string Problem, IReadOnlyList<string> Options);

/// <summary>The model's correction of one code (an empty <see cref="To"/>: it found none).</summary>
public sealed record CodeRepair(string From, string To);

public sealed record CodeRepairOutput(IReadOnlyList<CodeRepair> Repairs, int TokensUsed);

public sealed record ReferenceQuery(string Specialty, IReadOnlyList<string> Diagnoses, IReadOnlyList<string> SearchTerms, bool? PediatricPatient);

/// <summary>Reads a PDF's text layer; a PDF it cannot read raises <see cref="JobFailedException"/>.</summary>
public interface IPdfTextLayer
{
    Task<PdfText> ExtractAsync(byte[] pdf, CancellationToken cancellationToken);
}

/// <summary>Reads scanned pages and photos.</summary>
public interface IOcr
{
    Task<OcrResult> ReadPdfAsync(byte[] pdf, int pageCount, CancellationToken cancellationToken);

    Task<OcrResult> ReadImageAsync(byte[] image, CancellationToken cancellationToken);
}

/// <summary>Asks the model for the structured analysis of a clinical text.</summary>
public interface IClinicalAnalyzer
{
    Task<AnalyzerOutput> AnalyzeAsync(string text, string specialty, CancellationToken cancellationToken);

    /// <summary>Asks once for corrections of codes that failed their check (invalid, or a header that is not billable).</summary>
    Task<CodeRepairOutput> RepairCodesAsync(IReadOnlyList<CodeToRepair> codes, CancellationToken cancellationToken);
}

/// <summary>Asks the model for a letter's draft.</summary>
public interface ILetterWriter
{
    Task<LetterWriterOutput> DraftAsync(LetterRequest request, LetterContext context, CancellationToken cancellationToken);
}

/// <summary>Asks the model for a template shaped like an example letter; what it answers is scrubbed before anyone sees it.</summary>
public interface ITemplateProposer
{
    Task<TemplateContent> ProposeAsync(string example, string language, CancellationToken cancellationToken);
}

/// <summary>Finds verified literature references for an analysis.</summary>
public interface IReferenceFinder
{
    Task<IReadOnlyList<Reference>> FindAsync(ReferenceQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// A tool (a PDF parser, the rasterizer, OCR) ran out its time on this document. Final for the document: trying the
/// same bytes again would only burn the same time.
/// </summary>
public sealed class ToolTimedOutException(string tool, TimeSpan limit)
    : Exception($"{tool} took longer than {limit.TotalSeconds:0} s.")
{
    public const string UserMessage = "Reading this document took too long and was stopped. It may be very large or damaged; try a smaller or re-saved copy.";
}

/// <summary>Measures a recording before any of it is transcribed, so its minutes are checked against the plan first.</summary>
public interface IAudioProbe
{
    /// <summary>The recording's length; a recording that cannot be read raises <see cref="JobFailedException"/>.</summary>
    Task<TimeSpan> DurationAsync(string blobKey, CancellationToken cancellationToken);
}

/// <summary>
/// The index that offers a finished analysis when the same document comes again with the same settings. The web
/// writes and reads it at upload; an analysis takes its entries with it when it is deleted.
/// </summary>
public interface IAnalysisFingerprintIndex
{
    Task ForgetAsync(string analysisId);
}

/// <summary>
/// The lists behind <see cref="IJobIndexGrain"/> (<see cref="IndexKeys"/>), one row per entry. Jobs add their own rows
/// through it: an add needs no grain (a call, in a cluster often to another silo). Reads and removals go through the
/// index grain, which first moves a list saved the old way (as grain state) into the table, so nothing is removed
/// before it has been moved. Failures to reach the database surface as <see cref="StorageUnavailableException"/>.
/// </summary>
public interface IJobIndexStore
{
    /// <summary>Adds entries not in the list yet, in the order given (an entry already there keeps its place).</summary>
    Task AddAsync(string indexKey, IReadOnlyList<(string JobId, DateTimeOffset CreatedAt)> entries);

    Task RemoveAsync(string indexKey, string jobId);

    /// <summary>Ids newest first; entries of the same instant in the order they were added.</summary>
    Task<IReadOnlyList<string>> PageAsync(string indexKey, int skip, int take);

    Task<int> CountAsync(string indexKey);
}

/// <summary>
/// The jobs that have started a run and not yet ended it (finished, or begun waiting for a person), kept where every
/// silo can read them; the silos' sweeps wake any such job that has been there a while, so a run whose silo died goes
/// on without anyone opening its page. One entry per job, added before its first stage runs and removed when it ends:
/// two small writes, where a reminder per job cost a call to the reminder service (often another silo's), a row in its
/// table and a timer on the silo owning it, then the same again to remove it.
/// </summary>
public interface IUnfinishedJobs
{
    /// <summary>Adds the job, or moves its time to <paramref name="since"/> when it is there already.</summary>
    Task AddAsync(GrainId job, DateTimeOffset since);

    Task RemoveAsync(GrainId job);

    /// <summary>Up to <paramref name="take"/> jobs added before <paramref name="cutoff"/>, oldest first.</summary>
    Task<IReadOnlyList<GrainId>> AddedBeforeAsync(DateTimeOffset cutoff, int take);
}
