using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Grains.Services.Analysis;
using Maneiro.Grains.Services.Extraction;
using Maneiro.Grains.Services.References;
using Maneiro.Grains.Services.Speech;
using Maneiro.Grains.Services.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Storage;

namespace Maneiro.Grains.Jobs;

/// <summary>
/// Orchestrates one analysis: extraction → OCR or transcription → LLM → validation. Each stage is saved before its
/// work starts and its output after it ends, so after a crash the job resumes at the first unfinished stage (a
/// reminder brings it back; activation resumes it). Reentrant so status reads interleave with the long awaits;
/// only the pipeline loop writes state.
/// </summary>
[Reentrant]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source is disposed when the activation deactivates.")]
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
    IJobAuditor auditor,
    TimeProvider time,
    ILogger<AnalysisJobGrain> logger) : Grain, IAnalysisJobGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private const int MaxAttempts = 3;
    private CancellationTokenSource _stop = new();
    private Task? _run;
    private bool _cancelRequested;
    private IGrainTimer? _retry;

    private JobState S => state.State;

    private string JobId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Request is not null && !IsTerminal(S.Stage))
        {
            LogResuming(JobId, S.Stage);
            EnsureRunning();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Stop the work without recording a failure: the reminder resumes it elsewhere.
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        }

        _stop.Dispose();
    }

    public async Task<JobStatus> Start(JobRequest request)
    {
        if (S.Request is not null)
        {
            return Status();
        }

        S.Request = request;
        S.CreatedAt = time.GetUtcNow();
        S.Stage = JobStage.Received;
        S.History.Add(new StageEntry(JobStage.Received, S.CreatedAt, S.CreatedAt));
        S.Stage = NextAfterReceived(request.Kind);
        await GrainStorage.WriteAsync(state);
        await GrainFactory.GetGrain<IJobIndexGrain>(request.OwnerId).Add(JobId, S.CreatedAt);
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        var reservation = await User.TryReserve(UsageKind.Analyses, JobId, 1);
        if (!reservation.Granted)
        {
            await FailAsync(reservation.DeniedReason ?? "Your plan's allowance is used up for this period.");
            return Status();
        }

        EnsureRunning();
        return Status();
    }

    public Task<JobStatus?> GetStatus() => Task.FromResult(S.Request is null ? null : Status());

    public async Task<JobStatus?> Cancel()
    {
        if (S.Request is null)
        {
            return null;
        }

        if (IsTerminal(S.Stage))
        {
            return Status();
        }

        _cancelRequested = true;
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }

        if (!IsTerminal(S.Stage))
        {
            await FinishAsync(JobStage.Canceled, "Canceled by you.");
        }

        return Status();
    }

    public async Task<bool> Delete()
    {
        if (S.Request is null)
        {
            return false;
        }

        if (!IsTerminal(S.Stage))
        {
            await Cancel();
        }

        var request = S.Request;
        await blobs.DeleteAsync(request.BlobKey, CancellationToken.None);
        await GrainFactory.GetGrain<IJobIndexGrain>(request.OwnerId).Remove(JobId);
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.Request is null || IsTerminal(S.Stage))
        {
            await UnregisterResumeAsync();
            return;
        }

        EnsureRunning();
    }

    private IUserGrain User => GrainFactory.GetGrain<IUserGrain>(S.Request!.OwnerId);

    private void EnsureRunning()
    {
        if (_run is { IsCompleted: false })
        {
            return;
        }

        if (_stop.IsCancellationRequested)
        {
            _stop.Dispose();
            _stop = new CancellationTokenSource();
        }

        // Started from the grain's context, so every continuation runs on the grain's scheduler.
        _run = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!IsTerminal(S.Stage))
            {
                stop.ThrowIfCancellationRequested();
                try
                {
                    await RunStageAsync(S.Stage, stop);
                    S.Attempts = 0;
                }
                catch (Exception ex) when (IsTransient(ex) && !stop.IsCancellationRequested)
                {
                    S.Attempts++;
                    LogTransientFailure(JobId, S.Stage, S.Attempts, ex.GetType().Name);
                    if (S.Attempts >= MaxAttempts)
                    {
                        await FailAsync("A service this analysis depends on did not answer after several tries. Please try again later.");
                        return;
                    }

                    await GrainStorage.WriteAsync(state);
                    await Task.Delay(TimeSpan.FromSeconds(2 * S.Attempts), stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (_cancelRequested && !IsTerminal(S.Stage))
            {
                await FinishAsync(JobStage.Canceled, "Canceled by you.");
            }
        }
        catch (Exception ex) when (ex is UnreadableDocumentException or AnalysisFailedException)
        {
            await FailAsync(ex.Message);
        }
        catch (Exception ex) when (ex is StorageUnavailableException || IsStorageFailure(ex))
        {
            // The database is away: try again shortly from the last saved stage (the reminder is the backstop).
            LogTransientFailure(JobId, S.Stage, S.Attempts, ex.GetType().Name);
            RetrySoon();
        }
        catch (InconsistentStateException)
        {
            // Another activation saved this job meanwhile: start over from what is stored.
            DeactivateOnIdle();
        }
        catch (Exception ex)
        {
            LogUnexpected(ex, JobId, S.Stage);
            if (!IsTerminal(S.Stage))
            {
                await FailAsync("Something went wrong while processing this document. Nothing else was affected; please try again.");
            }
        }
    }

    private void RetrySoon()
    {
        _retry?.Dispose();
        _retry = this.RegisterGrainTimer(
            () =>
            {
                EnsureRunning();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    private async Task RunStageAsync(JobStage stage, CancellationToken stop)
    {
        await BeginAsync(stage);
        switch (stage)
        {
            case JobStage.Extracting:
                await ExtractAsync(stop);
                break;
            case JobStage.Ocr:
                await OcrAsync(stop);
                break;
            case JobStage.Transcribing:
                await TranscribeAsync(stop);
                break;
            case JobStage.Analyzing:
                await AnalyzeAsync(stop);
                break;
            case JobStage.Referencing:
                await ReferenceAsync(stop);
                break;
            case JobStage.Validating:
                Validate();
                break;
            default:
                throw new InvalidOperationException($"No work is defined for stage {stage}.");
        }

        var next = stage switch
        {
            JobStage.Extracting when S.TextSource is TextSource.None => S.Request!.Kind == InputKind.Audio ? JobStage.Transcribing : JobStage.Ocr,
            JobStage.Extracting or JobStage.Ocr or JobStage.Transcribing => JobStage.Analyzing,
            JobStage.Analyzing => JobStage.Referencing,
            JobStage.Referencing => JobStage.Validating,
            _ => JobStage.Complete,
        };
        if (next == JobStage.Complete)
        {
            await User.Commit(JobId);
            await FinishAsync(JobStage.Complete, null);
        }
        else
        {
            await EndAsync(stage, next);
        }
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
        await GrainStorage.WriteAsync(state);
        var output = await analyzer.AnalyzeAsync(S.ExtractedText!, S.Request!.Specialty, stop);
        S.AnalysisJson = System.Text.Json.JsonSerializer.Serialize(output.Document, AnalysisJsonOptions);
        S.TokensUsed += output.TokensUsed;
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

    private async Task BeginAsync(JobStage stage)
    {
        S.Stage = stage;
        S.Percent = PercentAt(stage);
        if (S.History.LastOrDefault() is not { EndedAt: null } open || open.Stage != stage)
        {
            S.History.Add(new StageEntry(stage, time.GetUtcNow(), null));
        }

        await GrainStorage.WriteAsync(state);
        await PublishAsync();
    }

    private async Task EndAsync(JobStage stage, JobStage next)
    {
        CloseOpenStage(stage);
        S.Stage = next;
        await GrainStorage.WriteAsync(state);
    }

    private async Task FailAsync(string message)
    {
        await User.Release(JobId);
        await FinishAsync(JobStage.Failed, message);
    }

    private async Task FinishAsync(JobStage final, string? error)
    {
        if (final == JobStage.Canceled)
        {
            await User.Release(JobId);
        }

        CloseOpenStage(S.Stage);
        S.Stage = final;
        S.Error = error;
        S.Percent = final == JobStage.Complete ? 100 : S.Percent;
        S.History.Add(new StageEntry(final, time.GetUtcNow(), time.GetUtcNow()));
        await GrainStorage.WriteAsync(state);

        // The outcome is saved; what follows is bookkeeping that must never change it.
        try
        {
            await UnregisterResumeAsync();
            await PublishAsync();
            if (final != JobStage.Canceled)
            {
                await auditor.JobFinishedAsync(S.Request!.OwnerId, JobId, final == JobStage.Complete, error);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAfterFinishFailed(JobId, ex.GetType().Name);
        }
    }

    private void CloseOpenStage(JobStage stage)
    {
        var index = S.History.FindLastIndex(h => h.Stage == stage && h.EndedAt is null);
        if (index >= 0)
        {
            S.History[index] = S.History[index] with { EndedAt = time.GetUtcNow() };
        }
    }

    private async Task UnregisterResumeAsync()
    {
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task PublishAsync()
    {
        try
        {
            await progress.PublishAsync(new JobProgress(JobId, S.Request!.OwnerId, S.Stage, S.Percent, S.Error));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Progress is a courtesy; the saved state is the truth and pages read it on reconnect.
            LogPublishFailed(JobId, ex.GetType().Name);
        }
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

    private static bool IsTerminal(JobStage stage) => stage is JobStage.Complete or JobStage.Failed or JobStage.Canceled;

    private static bool IsStorageFailure(Exception ex) => ex is System.Data.Common.DbException || (ex.InnerException is { } inner && IsStorageFailure(inner));

    private static bool IsTransient(Exception ex) => ex is HttpRequestException or TimeoutException or IOException or System.ClientModel.ClientResultException;

    private static JobStage NextAfterReceived(InputKind kind) => kind == InputKind.Audio ? JobStage.Transcribing : kind == InputKind.Image ? JobStage.Ocr : JobStage.Extracting;

    private static int PercentAt(JobStage stage) => stage switch
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming job {JobId} at stage {Stage}")]
    private partial void LogResuming(string jobId, JobStage stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} stage {Stage} attempt {Attempt} failed: {ErrorType}")]
    private partial void LogTransientFailure(string jobId, JobStage stage, int attempt, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed unexpectedly at stage {Stage}")]
    private partial void LogUnexpected(Exception exception, string jobId, JobStage stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} finished, but its bookkeeping failed: {ErrorType}")]
    private partial void LogAfterFinishFailed(string jobId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "References for job {JobId} were unavailable: {ErrorType}")]
    private partial void LogReferencesUnavailable(string jobId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress for job {JobId} could not be published: {ErrorType}")]
    private partial void LogPublishFailed(string jobId, string errorType);
}
