using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Maneiro.Grains.Services.Analysis;
using Maneiro.Grains.Services.Extraction;
using Maneiro.Grains.Services.References;
using Maneiro.Grains.Services.Speech;
using Maneiro.Grains.Services.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Maneiro.Grains.Jobs;

/// <summary>
/// Orchestrates one analysis: extraction → OCR or transcription → LLM → references → validation, on the saved-stage
/// machinery of <see cref="StagedJobGrain{TState}"/>.
/// </summary>
[Reentrant]
public sealed partial class AnalysisJobGrain(
    [PersistentState("job", GrainStorage.Name)] IPersistentState<JobState> state,
    IBlobStore blobs,
    PdfTextLayer textLayer,
    TesseractOcr ocr,
    ClinicalAnalyzer analyzer,
    PubMedReferences references,
    ISpeechToText speech,
    Icd10Catalog icd10,
    IJobProgressPublisher progress,
    ManeiroTelemetry telemetry,
    IJobAuditor auditor,
    TimeProvider time,
    ILogger<AnalysisJobGrain> logger) : StagedJobGrain<JobState>(state, progress, telemetry, time, logger), IAnalysisJobGrain
{
    private JobState S => State.State;

    private string JobId => Id;

    protected override bool Exists => S.Request is not null;

    protected override string OwnerId => S.Request!.OwnerId;

    public async Task<JobStatus> Start(JobRequest request)
    {
        if (S.Request is not null)
        {
            return Status();
        }

        S.Request = request;
        S.CreatedAt = Time.GetUtcNow();
        S.History.Add(new StageEntry(JobStage.Received, S.CreatedAt, S.CreatedAt));
        S.Stage = NextAfterReceived(request.Kind);
        await GrainStorage.WriteAsync(State);
        await GrainFactory.GetGrain<IJobIndexGrain>(request.OwnerId).Add(JobId, S.CreatedAt);
        await LaunchAsync(S.Stage, UsageKind.Analyses);
        return Status();
    }

    public Task<JobStatus?> GetStatus() => Task.FromResult(S.Request is null ? null : Status());

    public async Task<JobStatus?> Cancel()
    {
        if (S.Request is null)
        {
            return null;
        }

        await CancelRunAsync();
        return Status();
    }

    public async Task<bool> Delete()
    {
        if (S.Request is null)
        {
            return false;
        }

        await CancelRunAsync();
        var request = S.Request;
        await DeleteLettersAsync();
        await blobs.DeleteAsync(request.BlobKey, CancellationToken.None);
        await GrainFactory.GetGrain<IJobIndexGrain>(request.OwnerId).Remove(JobId);
        await UnregisterResumeAsync();
        await State.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    /// <summary>Letters are drafted from this analysis, so they go with it.</summary>
    private async Task DeleteLettersAsync()
    {
        var index = GrainFactory.GetGrain<IJobIndexGrain>(LetterGrain.IndexKey(JobId));
        foreach (var letterId in await index.Page(0, int.MaxValue))
        {
            await GrainFactory.GetGrain<ILetterGrain>(letterId).Delete();
        }
    }

    protected override Task AuditFinishedAsync(bool succeeded, string? failureMessage, TimeSpan duration) => auditor.JobFinishedAsync(OwnerId, JobId, succeeded, failureMessage, duration);

    protected override string JobKind => "analysis";

    protected override async Task<JobStage> RunStageAsync(JobStage stage, CancellationToken cancellation)
    {
        switch (stage)
        {
            case JobStage.Extracting:
                await ExtractAsync(cancellation);
                break;
            case JobStage.Ocr:
                await OcrAsync(cancellation);
                break;
            case JobStage.Transcribing:
                await TranscribeAsync(cancellation);
                break;
            case JobStage.Analyzing:
                await AnalyzeAsync(cancellation);
                break;
            case JobStage.Referencing:
                await ReferenceAsync(cancellation);
                break;
            case JobStage.Validating:
                Validate();
                break;
            default:
                throw new InvalidOperationException($"No work is defined for stage {stage}.");
        }

        return stage switch
        {
            JobStage.Extracting when S.TextSource is TextSource.None => S.Request!.Kind == InputKind.Audio ? JobStage.Transcribing : JobStage.Ocr,
            JobStage.Extracting or JobStage.Ocr or JobStage.Transcribing => JobStage.Analyzing,
            JobStage.Analyzing => JobStage.Referencing,
            JobStage.Referencing => JobStage.Validating,
            _ => JobStage.Complete,
        };
    }

    private async Task ExtractAsync(CancellationToken stop)
    {
        var request = S.Request!;
        switch (request.Kind)
        {
            case InputKind.Text:
                S.ExtractedText = await ReadTextAsync(stop);
                S.TextSource = TextSource.Pasted;
                break;
            case InputKind.Pdf:
                var pdf = await ReadBytesAsync(stop);
                var layer = await textLayer.ExtractAsync(pdf, stop);
                S.PageCount = layer.PageCount;
                if (!request.ForceOcr && MeaningfulText.IsMeaningful(layer.Text))
                {
                    S.ExtractedText = layer.Text;
                    S.TextSource = TextSource.TextLayer;
                }

                break;
            default:
                // Images go to OCR and audio to transcription.
                break;
        }
    }

    private async Task OcrAsync(CancellationToken stop)
    {
        var request = S.Request!;
        var pages = Math.Max(1, S.PageCount);
        var reservation = await User.TryReserve(UsageKind.OcrPages, JobId, pages);
        if (!reservation.Granted)
        {
            throw new AnalysisFailedException(reservation.DeniedReason!);
        }

        var bytes = await ReadBytesAsync(stop);
        var result = request.Kind == InputKind.Pdf
            ? await ocr.ReadPdfAsync(bytes, pages, stop)
            : await ocr.ReadImageAsync(bytes, stop);
        if (string.IsNullOrWhiteSpace(result.Text))
        {
            throw new UnreadableDocumentException("No readable text was found in this document, even with OCR. Check that the scan is not blank or upside down.");
        }

        S.ExtractedText = result.Text;
        S.TextSource = TextSource.Ocr;
        Telemetry.OcrPages(result.Pages.Count);
        S.OcrConfidence = result.Pages.Select(p => p.Confidence).ToList();
    }

    private async Task TranscribeAsync(CancellationToken stop)
    {
        var (text, seconds) = await speech.TranscribeAsync(S.Request!.BlobKey, S.Request.MediaType, stop);
        var minutes = Math.Max(1, (int)Math.Ceiling(seconds / 60.0));
        var reservation = await User.TryReserve(UsageKind.AudioMinutes, JobId, minutes);
        if (!reservation.Granted)
        {
            throw new AnalysisFailedException(reservation.DeniedReason!);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new UnreadableDocumentException("No speech was recognized in this recording.");
        }

        S.ExtractedText = text;
        S.TextSource = TextSource.Transcript;
    }

    private async Task AnalyzeAsync(CancellationToken stop)
    {
        if (S.AnalysisJson is not null)
        {
            return;
        }

        S.LlmCalls++;
        await GrainStorage.WriteAsync(State);
        var output = await analyzer.AnalyzeAsync(S.ExtractedText!, S.Request!.Specialty, stop);
        S.AnalysisJson = System.Text.Json.JsonSerializer.Serialize(output.Document, AnalysisJsonOptions);
        S.TokensUsed += output.TokensUsed;
        Telemetry.LlmTokens("analysis", output.TokensUsed);
    }

    /// <summary>Fetches verified PubMed references; if PubMed cannot be reached the job completes without them, and says so.</summary>
    private async Task ReferenceAsync(CancellationToken stop)
    {
        if (S.References is not null)
        {
            return;
        }

        var (document, _) = AnalysisDocument.Parse(S.AnalysisJson!);
        var query = new ReferenceQuery(
            S.Request!.Specialty,
            document!.Diagnoses.Select(d => d.Title).ToList(),
            document.SearchTerms,
            S.Request.Specialty == "pediatrics" ? true : null);
        try
        {
            S.References = (await references.FindAsync(query, stop)).ToList();
        }
        catch (Exception ex) when (!stop.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            LogReferencesUnavailable(JobId, ex.GetType().Name);
            S.References = [];
            S.ReferencesUnavailable = true;
        }
    }

    private void Validate()
    {
        var (document, _) = AnalysisDocument.Parse(S.AnalysisJson!);
        var result = document!.ToResult(icd10, S.ExtractedText ?? "");
        var warnings = S.ReferencesUnavailable
            ? [.. result.Warnings, "PubMed could not be reached, so no references are listed for this analysis."]
            : result.Warnings;
        S.Result = result with { References = S.References ?? [], Warnings = warnings };
    }

    private async Task<byte[]> ReadBytesAsync(CancellationToken stop)
    {
        await using var stream = await blobs.OpenReadAsync(S.Request!.BlobKey, stop);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, stop);
        return memory.ToArray();
    }

    private async Task<string> ReadTextAsync(CancellationToken stop)
    {
        await using var stream = await blobs.OpenReadAsync(S.Request!.BlobKey, stop);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(stop);
    }

    private JobStatus Status() => new(
        JobId,
        S.Request!.OwnerId,
        S.Stage,
        S.Percent,
        S.History.ToList(),
        S.Error,
        S.TextSource,
        S.ExtractedText,
        S.Result,
        S.CreatedAt,
        S.Request.Kind,
        S.Request.Specialty,
        S.TokensUsed,
        S.OcrConfidence.ToList());

    private static readonly System.Text.Json.JsonSerializerOptions AnalysisJsonOptions = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    private static JobStage NextAfterReceived(InputKind kind) => kind == InputKind.Audio ? JobStage.Transcribing : kind == InputKind.Image ? JobStage.Ocr : JobStage.Extracting;

    protected override int PercentAt(JobStage stage) => stage switch
    {
        JobStage.Received => 0,
        JobStage.Extracting => 10,
        JobStage.Ocr => 25,
        JobStage.Transcribing => 25,
        JobStage.Analyzing => 50,
        JobStage.Referencing => 80,
        JobStage.Validating => 90,
        _ => 100,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "References for job {JobId} were unavailable: {ErrorType}")]
    private partial void LogReferencesUnavailable(string jobId, string errorType);
}
