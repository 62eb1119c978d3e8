using Maneiro.Grains.Domain;
using Maneiro.Grains.Domain.Letters;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Maneiro.Grains.Letters;

/// <summary>
/// One letter: loading context → drafting → formatting → complete on the shared stage machinery, then versions the
/// owner edits, regenerates and restores. Versions are never rewritten, only added.
/// </summary>
[Reentrant]
[GrainType("letter")]
public sealed class LetterGrain(
    [PersistentState("letter", GrainStorage.Name)] IPersistentState<LetterState> state,
    ILetterWriter writer,
    IJobProgressPublisher progress,
    ManeiroTelemetry telemetry,
    IJobAuditor auditor,
    IJobIndexStore jobIndex,
    TimeProvider time,
    ILogger<LetterGrain> logger) : StagedJobGrain<LetterState>(state, progress, telemetry, time, logger), ILetterGrain
{
    private LetterState S => State.State;

    protected override bool Exists => S.Request is not null;

    protected override string OwnerId => S.Request!.OwnerId;

    protected override string? Follower => S.Request!.DraftedForOwnerBy;

    protected override string UsageKey => $"{Id}:{S.Generation}";

    public async Task<LetterStatus> Start(LetterRequest request)
    {
        if (S.Request is not null)
        {
            return Status();
        }

        if (request.DraftedForOwnerBy is { } drafter)
        {
            await Clinics.ClinicChecks.RequireForOwnerAsync(GrainFactory, request.OwnerId, drafter, ClinicPolicy.DraftActionFor(request.Kind));
        }

        S.Request = request;
        S.CreatedAt = Time.GetUtcNow();
        S.Generation = 1;

        // The owner's own draft carries the owner's signature, as before clinics; a staff draft carries none.
        S.AwaitsSignature = request.DraftedForOwnerBy is not null;
        S.History.Add(new StageEntry(JobStage.Received, S.CreatedAt, S.CreatedAt));
        MarkLaunched(JobStage.LoadingContext);
        await GrainStorage.WriteAsync(State);
        await jobIndex.AddAsync(IndexKeys.LettersOf(request.AnalysisJobId), [(Id, S.CreatedAt)]);
        await StartLaunchedAsync();
        return Status();
    }

    public Task<LetterStatus?> GetStatus() => Task.FromResult(S.Request is null ? null : Status());

    public async Task<LetterStatus> SaveEdit(string subject, string body, string actorId)
    {
        EnsureIdle();
        var (cleanSubject, cleanBody) = LetterVersions.CleanEdit(subject, body);

        // A hand edit is held to the code rule too: an unchecked code typed in is taken out and reported.
        (cleanSubject, var subjectCodes) = LetterCodes.Scrub(cleanSubject, S.Context);
        (cleanBody, var bodyCodes) = LetterCodes.Scrub(cleanBody, S.Context);
        if (LetterVersions.IsUnchanged(S.Versions, S.CurrentVersion, cleanSubject, cleanBody))
        {
            return Status();
        }

        S.Notices = [.. S.Notices.Where(n => !CodeProblem.IsNotice(n)), .. subjectCodes.Concat(bodyCodes).DistinctBy(p => p.Code).Select(p => p.Notice)];
        AddVersion(cleanSubject, cleanBody, LetterVersionSource.Edited, null);
        ChangedBy(actorId);
        await GrainStorage.WriteAsync(State);
        return Status();
    }

    public async Task<LetterStatus> Regenerate(string actorId)
    {
        EnsureIdle();
        ChangedBy(actorId);
        S.Generation++;
        S.DraftJson = null;
        S.Notices.Clear();
        S.History.Add(new StageEntry(JobStage.Received, Time.GetUtcNow(), Time.GetUtcNow()));
        await LaunchAsync(S.Context is null ? JobStage.LoadingContext : JobStage.Drafting);
        return Status();
    }

    public async Task<LetterStatus> Restore(int version, string actorId)
    {
        EnsureIdle();
        var earlier = LetterVersions.Find(S.Versions, version);
        AddVersion(earlier.Subject, earlier.Body, LetterVersionSource.Restored, earlier.Number);
        ChangedBy(actorId);
        await GrainStorage.WriteAsync(State);
        return Status();
    }

    public async Task<LetterStatus> Sign(string clinicianId)
    {
        EnsureIdle();
        if (S.Versions.Count == 0)
        {
            throw new LetterRefusedException("This letter has no text to sign yet.");
        }

        // The signer's clinic and role are read here, not taken from the caller: only a clinician of the owner's clinic.
        try
        {
            await Clinics.ClinicChecks.RequireForOwnerAsync(GrainFactory, OwnerId, clinicianId, ClinicAction.SignLetter);
        }
        catch (ClinicRefusedException)
        {
            throw new LetterRefusedException("Only a clinician of this clinic can sign this letter.");
        }

        S.SignedBy = clinicianId;
        S.AwaitsSignature = false;
        await GrainStorage.WriteAsync(State);
        return Status();
    }

    public async Task TransferTo(string newOwnerId)
    {
        if (S.Request is not { } request || request.OwnerId == newOwnerId)
        {
            return;
        }

        await CancelRunAsync();

        // Who signed stays on record: a letter its owner signed names them from now on, not its new owner.
        S.SignedBy ??= S.AwaitsSignature ? null : request.OwnerId;
        S.Request = request with { OwnerId = newOwnerId };
        await GrainStorage.WriteAsync(State);
    }

    public async Task<bool> Delete()
    {
        if (S.Request is null)
        {
            return false;
        }

        await CancelRunAsync();
        await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(S.Request.AnalysisJobId)).Remove(Id);
        await EndUnfinishedAsync();
        await State.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    protected override async Task<JobStage> RunStageAsync(JobStage stage, CancellationToken cancellation)
    {
        switch (stage)
        {
            case JobStage.LoadingContext:
                await LoadContextAsync();
                return JobStage.Drafting;
            case JobStage.Drafting:
                await DraftAsync(cancellation);
                return JobStage.Formatting;
            case JobStage.Formatting:
                await FormatAsync();
                return JobStage.Complete;
            default:
                throw new InvalidOperationException($"No letter work is defined for stage {stage}.");
        }
    }

    protected override int PercentAt(JobStage stage) => stage switch
    {
        JobStage.LoadingContext => 10,
        JobStage.Drafting => 30,
        JobStage.Formatting => 85,
        _ => 100,
    };

    public override Task AuditFinishedAsync(bool succeeded, string? failureMessage, TimeSpan duration) => auditor.LetterFinishedAsync(OwnerId, Id, succeeded, failureMessage, duration);

    protected override string JobKind => "letter";

    protected override UsageKind? Usage => UsageKind.Letters;

    protected override string StartLimitMessage => "This letter could not be drafted: drafting it stopped unexpectedly more than once, so it was not tried again. Please try again.";

    private async Task LoadContextAsync()
    {
        if (S.Context is not null)
        {
            return;
        }

        var analysis = GrainFactory.GetGrain<IAnalysisGrain>(S.Request!.AnalysisJobId);
        var progress = await analysis.GetProgress();
        var output = progress is { Stage: JobStage.Complete } && progress.OwnerId == OwnerId ? await analysis.GetResult() : null;
        if (output is null || LetterContextFactory.From(progress!.Specialty, output) is not { } context)
        {
            throw new JobFailedException("The analysis this letter is based on is not available (deleted or not complete).");
        }

        S.Context = context;
    }

    private async Task DraftAsync(CancellationToken stop)
    {
        if (S.DraftJson is not null)
        {
            return;
        }

        // Counted in the stage's next save, as an analysis's model call is (see AnalysisGrain.AnalyzeAsync).
        S.LlmCalls++;
        var output = await writer.DraftAsync(S.Request!, S.Context!, stop);
        S.DraftJson = output.DraftJson;
        S.TokensUsed += output.TokensUsed;
        Telemetry.LlmTokens("letter", output.TokensUsed);
    }

    private async Task FormatAsync()
    {
        var (draft, _) = LetterDraft.Parse(S.DraftJson!);
        IReadOnlyList<string> templateNotices = [];
        if (S.Request!.Template is { } template)
        {
            // Laid out as the template says before the composer checks it, so its fixed text is checked too.
            var signerId = S.Signer(OwnerId) ?? OwnerId;
            var signer = await GrainFactory.GetGrain<ILetterheadGrain>(signerId).Read();
            var zone = TimeZones.Find(await GrainFactory.GetGrain<IUserGrain>(signerId).TimeZone());
            var values = TemplateFill.Values(S.Request, S.Context!, signer.ProviderName, TimeZones.Today(Time.GetUtcNow(), zone));
            (draft, templateNotices) = TemplateFill.Apply(draft!, template, values);
        }

        var composed = LetterComposer.Compose(draft!, S.Request.Kind, LetterLanguage.Get(S.Request.Language), S.Context!);
        AddVersion(composed.Subject, composed.Body, LetterVersionSource.Generated, null);
        S.Notices = [.. templateNotices, .. composed.Notices];
    }

    private void AddVersion(string subject, string body, LetterVersionSource source, int? restoredFrom)
    {
        S.CurrentVersion = LetterVersions.Add(S.Versions, subject, body, Time.GetUtcNow(), source, restoredFrom);
    }

    /// <summary>A change keeps the signature only when its signer made it; anyone else's change leaves a draft to sign again.</summary>
    private void ChangedBy(string actorId)
    {
        if (S.Signer(OwnerId) != actorId)
        {
            S.SignedBy = null;
            S.AwaitsSignature = true;
        }
    }

    private void EnsureIdle()
    {
        if (S.Request is null)
        {
            throw new LetterRefusedException("There is no such letter.");
        }

        // The saved outcome is what counts: a finished run may still be doing its bookkeeping (audit, progress push),
        // and an edit must not be refused because of that once the page has been told the letter is finished.
        if (!IsTerminal(S.Stage))
        {
            throw new LetterRefusedException("The letter is being drafted; wait until it finishes.");
        }
    }

    private LetterStatus Status() => new(
        Id,
        S.Request!,
        S.Stage,
        S.Percent,
        S.FailureMessage,
        S.CreatedAt,
        S.Context,
        S.Versions.ToList(),
        S.CurrentVersion,
        S.Notices.ToList(),
        S.History.ToList(),
        S.Signer(OwnerId));
}
