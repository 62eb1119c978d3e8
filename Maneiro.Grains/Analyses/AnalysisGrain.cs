using Maneiro.Grains.Domain;
using Maneiro.Grains.Domain.Jobs;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;

namespace Maneiro.Grains.Analyses;

/// <summary>
/// One analysis: extraction → OCR or transcription → model → references → validation, on the saved-stage machinery of
/// <see cref="StagedJobGrain{TState}"/>. Progress and output are saved apart: progress is small and written at every
/// stage, output is written once by the stage that produces it.
/// </summary>
[Reentrant]
// Started by its owner's grain (IUserGrain.StartAnalysis): placed beside it, the job's calls to it stay in the process.
[PreferLocalPlacement]
[GrainType("analysisjob")]
public sealed partial class AnalysisGrain(
    [PersistentState("job", GrainStorage.Name)] IPersistentState<AnalysisState> state,
    [PersistentState("output", GrainStorage.Name)] IPersistentState<AnalysisOutputState> output,
    AnalysisSteps steps,
    IBlobStore blobs,
    IJobProgressPublisher progress,
    ManeiroTelemetry telemetry,
    IJobAuditor auditor,
    IAnalysisFingerprintIndex fingerprints,
    IJobIndexStore jobIndex,
    TimeProvider time,
    ILogger<AnalysisGrain> logger) : StagedJobGrain<AnalysisState>(state, progress, telemetry, time, logger), IAnalysisGrain
{
    private bool _reviewEnding;

    // The text layer the upload read, for the extraction stage of this activation only (never saved: a resumed
    // analysis reads its stored PDF again).
    private UploadTextLayer? _textLayerRead;

    private AnalysisState S => State.State;

    private AnalysisOutputState O => output.State;

    protected override bool Exists => S.Request is not null;

    protected override string OwnerId => S.Request!.OwnerId;

    protected override string? Follower => S.Request!.OnBehalfBy;

    protected override string JobKind => "analysis";

    protected override UsageKind? Usage => UsageKind.Analyses;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.HasLegacyOutput)
        {
            // A row written before progress and output were split: move the output first, then slim the row.
            O.TakeLegacy(S);
            await GrainStorage.WriteAsync(output);
            (S.LegacyExtractedText, S.LegacyAnalysisJson, S.LegacyResult, S.LegacyReferences) = (null, null, null, null);
            S.Headline ??= O.Result is { } result ? AnalysisHeadlines.Of(result) : null;
            await GrainStorage.WriteAsync(State);
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<AnalysisProgress> Start(AnalysisRequest request)
    {
        if (S.Request is not null)
        {
            return Progress();
        }

        if (request.OnBehalfBy is { } submitter)
        {
            await Clinics.ClinicChecks.RequireForOwnerAsync(GrainFactory, request.OwnerId, submitter, ClinicAction.SubmitDocument);
        }

        S.Request = request;
        S.CreatedAt = Time.GetUtcNow();
        S.History.Add(new StageEntry(JobStage.Received, S.CreatedAt, S.CreatedAt));
        MarkLaunched(AnalysisStages.First(request.Kind));
        await GrainStorage.WriteAsync(State);
        await jobIndex.AddAsync(IndexKeys.AnalysesOf(request.OwnerId), [(Id, S.CreatedAt)]);
        if (request.OnBehalfBy is { } staff)
        {
            // The staff member who uploaded it sees it in their history too.
            await jobIndex.AddAsync(IndexKeys.AnalysesOf(staff), [(Id, S.CreatedAt)]);
        }

        await StartLaunchedAsync(reservedByCaller: request.AllowanceReserved);
        return Progress();
    }

    public Task<AnalysisProgress> StartWithTextLayer(AnalysisRequest request, UploadTextLayer textLayer)
    {
        if (S.Request is null)
        {
            _textLayerRead = textLayer;
        }

        return Start(request);
    }

    public Task<AnalysisProgress?> GetProgress() => Task.FromResult(S.Request is null ? null : Progress());

    public Task<AnalysisRequest?> Request() => Task.FromResult(S.Request);

    public Task<AnalysisOutput?> GetResult() => Task.FromResult(S.Request is null ? null : new AnalysisOutput(O.ExtractedText, O.Result, O.OriginalTranscript));

    public async Task<AnalysisProgress?> Cancel()
    {
        if (S.Request is null)
        {
            return null;
        }

        await CancelRunAsync();
        return Progress();
    }

    public async Task<AnalysisProgress?> AnalyzeTranscript(string? editedTranscript)
    {
        if (S.Request is null)
        {
            return null;
        }

        if (S.Stage != JobStage.Reviewing || _reviewEnding)
        {
            return Progress();
        }

        // Reentrant: a second click while this one awaits must not edit or continue again.
        _reviewEnding = true;
        try
        {
            await SaveReviewedTranscriptAsync(editedTranscript);
            await ContinueAfterWaitAsync(JobStage.Analyzing);
        }
        finally
        {
            _reviewEnding = false;
        }

        return Progress();
    }

    private async Task SaveReviewedTranscriptAsync(string? editedTranscript)
    {
        if (editedTranscript is not null && TranscriptEdit.Normalize(editedTranscript) is var edited && edited != O.ExtractedText)
        {
            if (TranscriptEdit.Problem(edited) is { } problem)
            {
                throw new ArgumentException(problem, nameof(editedTranscript));
            }

            // The edit is a new version: the transcript as the service heard it stays beside it.
            O.OriginalTranscript ??= O.ExtractedText;
            O.ExtractedText = edited;
            await GrainStorage.WriteAsync(output);
        }
    }

    public async Task<bool> TransferTo(string newOwnerId)
    {
        if (S.Request is not { } request)
        {
            return false;
        }

        if (request.OwnerId == newOwnerId)
        {
            return true;
        }

        // A run belongs to its owner's allowance: a running analysis is stopped (its reservation released) first.
        await CancelRunAsync();
        var old = request.OwnerId;
        S.Request = request with { OwnerId = newOwnerId, SubmittedBy = request.SubmittedBy == old || request.SubmittedBy is null ? newOwnerId : request.SubmittedBy };
        await GrainStorage.WriteAsync(State);
        foreach (var letterId in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(Id)).Page(0, int.MaxValue))
        {
            await GrainFactory.GetGrain<ILetterGrain>(letterId).TransferTo(newOwnerId);
        }

        await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(old)).Remove(Id);
        await jobIndex.AddAsync(IndexKeys.AnalysesOf(newOwnerId), [(Id, S.CreatedAt)]);

        // The duplicate-upload entry was keyed by the old owner: a new upload by the new owner is analysed afresh.
        await fingerprints.ForgetAsync(Id);
        return true;
    }

    public async Task<bool> Delete()
    {
        if (S.Request is null)
        {
            return false;
        }

        await CancelRunAsync();
        var request = S.Request;

        // Letters are drafted from this analysis, so they go with it.
        foreach (var letterId in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(Id)).Page(0, int.MaxValue))
        {
            await GrainFactory.GetGrain<ILetterGrain>(letterId).Delete();
        }

        await blobs.DeleteAsync(request.BlobKey, CancellationToken.None);
        await blobs.DeleteAsync(BlobKeys.FullTextKey(Id), CancellationToken.None);
        await fingerprints.ForgetAsync(Id);
        await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(request.OwnerId)).Remove(Id);
        if (request.OnBehalfBy is { } staff)
        {
            await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(staff)).Remove(Id);
        }

        await EndUnfinishedAsync();
        await output.ClearStateAsync();
        await State.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    public override Task AuditFinishedAsync(bool succeeded, string? failureMessage, TimeSpan duration) => auditor.JobFinishedAsync(OwnerId, Id, succeeded, failureMessage, duration, S.TokensUsed, S.Request!.Specialty);

    protected override int PercentAt(JobStage stage) => AnalysisStages.PercentAt(stage);

    /// <summary>
    /// Validating reads the model answer and references against the bundled ICD-10-CM table: local and deterministic,
    /// so it starts unsaved (one write fewer per analysis), and the references are saved with its result rather than
    /// on their own (another). A crash in it resumes at Referencing, which fetches the references again — the same loss
    /// as a crash while they were fetched, since nothing outside the process happens in between.
    /// </summary>
    protected override bool SavesItsBegin(JobStage stage) => stage != JobStage.Validating;

    protected override async Task<JobStage> RunStageAsync(JobStage stage, CancellationToken cancellation)
    {
        var run = new AnalysisRun(Id, S, O, User, _textLayerRead);
        var outputChanged = stage switch
        {
            JobStage.Extracting => await ExtractAsync(run, cancellation),
            JobStage.Ocr => await steps.OcrAsync(run, cancellation),
            JobStage.Transcribing => await steps.TranscribeAsync(run, cancellation),
            JobStage.Analyzing => await AnalyzeAsync(run, cancellation),
            JobStage.Referencing => await HoldReferencesAsync(run, cancellation),
            // The references first, should they be missing: a row saved as Validating by another write of the progress
            // (a transfer, a retry's count) while they were held resumes here, not at Referencing.
            JobStage.Validating => await steps.ReferenceAsync(run, cancellation) | steps.Validate(run),
            _ => throw new InvalidOperationException($"No work is defined for stage {stage}."),
        };
        if (outputChanged)
        {
            await GrainStorage.WriteAsync(output);
        }

        if (stage == JobStage.Transcribing)
        {
            await DeleteRecordingIfAskedAsync();
        }

        return AnalysisStages.Next(stage, S.Request!.Kind, S.TextSource, S.Request.Speech?.Review == true);
    }

    /// <summary>Fetches the references into the output without saving it: Validating saves them with the result.</summary>
    private async Task<bool> HoldReferencesAsync(AnalysisRun run, CancellationToken cancellation)
    {
        await steps.ReferenceAsync(run, cancellation);
        return false;
    }

    /// <summary>
    /// The transcript is saved: a clinic whose policy says so does not keep the recording. Idempotent (a resumed stage
    /// deletes a deleted blob again); the page then says the recording is gone.
    /// </summary>
    private async Task DeleteRecordingIfAskedAsync()
    {
        if (S.AudioDeletedAt is not null || O.ExtractedText is null)
        {
            return;
        }

        var clinicId = await User.CurrentClinicId() ?? OwnerId;
        if (!(await GrainFactory.GetGrain<IClinicGrain>(clinicId).Retention()).DeleteAudioAfterTranscription)
        {
            return;
        }

        await blobs.DeleteAsync(S.Request!.BlobKey, CancellationToken.None);
        S.AudioDeletedAt = Time.GetUtcNow();
        await GrainStorage.WriteAsync(State);
    }

    /// <summary>The upload's text layer serves this extraction only; a later one (a resumed run) reads the stored PDF.</summary>
    private async Task<bool> ExtractAsync(AnalysisRun run, CancellationToken cancellation)
    {
        var changed = await steps.ExtractAsync(run, cancellation);
        _textLayerRead = null;
        return changed;
    }

    /// <summary>
    /// One model call, unless the answer is saved already (that, saved before the stage ends, is what keeps a finished
    /// analysis from a second call). The call is counted in the stage's next save (its end, a retry, a failure), not in
    /// a write of its own: a crash while the model answers loses only that count, and the resumed run calls again.
    /// </summary>
    private Task<bool> AnalyzeAsync(AnalysisRun run, CancellationToken cancellation)
    {
        if (O.AnalysisJson is not null)
        {
            return Task.FromResult(false);
        }

        S.LlmCalls++;
        return steps.AnalyzeAsync(run, cancellation);
    }

    private AnalysisProgress Progress() => new(
        Id,
        S.Request!.OwnerId,
        S.Stage,
        S.Percent,
        S.History.ToList(),
        S.FailureMessage,
        S.TextSource,
        S.CreatedAt,
        S.Request.Kind,
        S.Request.Specialty,
        S.TokensUsed,
        S.OcrConfidence.ToList(),
        S.Headline ?? AnalysisHeadline.Empty,
        S.Request.OnBehalfBy,
        S.AudioDeletedAt);
}
