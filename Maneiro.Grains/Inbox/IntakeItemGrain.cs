using Maneiro.Grains.Clinics;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Domain.Inbox;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Jobs;
using Maneiro.Grains.Observability;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;

namespace Maneiro.Grains.Inbox;

/// <summary>
/// One document in a clinic's inbox: read (text layer or OCR, on the staged-job machinery, so a crash resumes it),
/// triaged by the model and checked by <see cref="IntakeTriageRules"/>, then worked on by members. The uploader's
/// allowance pays its OCR pages; triage itself is not counted. After every change the clinic's index row is saved and
/// the clinic's viewers are told.
/// </summary>
[GrainType("intakeitem")]
public sealed partial class IntakeItemGrain(
    [PersistentState("intake", GrainStorage.Name)] IPersistentState<IntakeItemState> state,
    [PersistentState("text", GrainStorage.Name)] IPersistentState<IntakeTextState> text,
    DocumentReader reader,
    IIntakeTriager triager,
    IIntakeIndex index,
    IInboxPublisher publisher,
    IBlobStore blobs,
    IJobProgressPublisher progress,
    IJobAuditor auditor,
    ManeiroTelemetry telemetry,
    TimeProvider time,
    ILogger<IntakeItemGrain> logger) : StagedJobGrain<IntakeItemState>(state, progress, telemetry, time, logger), IIntakeItemGrain
{
    private IntakeItemState S => State.State;

    private IntakeUpload Upload => S.Upload!;

    protected override bool Exists => S.Upload is not null;

    protected override string OwnerId => Upload.UploadedBy;

    protected override string JobKind => "intake";

    protected override UsageKind? Usage => null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Exists)
        {
            // The index is a copy of this state: a row a crash left behind is put right on the next activation.
            await SaveIndexAsync(publish: false);
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<IntakeItemView> Start(IntakeUpload upload)
    {
        if (S.Upload is not null)
        {
            return View(S);
        }

        await ClinicChecks.RequireMemberAsync(GrainFactory, upload.ClinicId, upload.UploadedBy, ClinicAction.WorkInbox);
        if (upload.Kind is not (InputKind.Pdf or InputKind.Image))
        {
            throw new JobFailedException("The inbox takes PDFs, TIFF faxes and photos.");
        }

        S.Upload = upload;
        S.CreatedAt = Time.GetUtcNow();
        S.History.Add(new StageEntry(JobStage.Received, S.CreatedAt, S.CreatedAt));
        MarkLaunched(IntakeStages.First(upload.Kind));
        await GrainStorage.WriteAsync(State);
        await SaveIndexAsync(publish: true);
        await StartLaunchedAsync();
        return View(S);
    }

    public Task<IntakeItemView?> View() => Task.FromResult(Exists ? View(S) : null);

    public Task<string> Text() => Task.FromResult(text.State.Text ?? "");

    public async Task<IntakeItemView> Edit(string actorId, IntakeEdit edit)
    {
        var triage = await TriagedForAsync(actorId, ClinicAction.WorkInbox);
        if (!Enum.IsDefined(edit.Kind) || !Enum.IsDefined(edit.Urgency))
        {
            throw new ClinicRefusedException("Choose the kind and urgency from the lists.");
        }

        // A value a member typed has no quote: the page shows it as entered by a member, not read from the page.
        static QuotedValue Edited(QuotedValue was, string now)
        {
            var value = now.Trim();
            return value == was.Value ? was : new QuotedValue(value.Length > 300 ? value[..300] : value, "");
        }

        S.Triage = triage with
        {
            Kind = edit.Kind,
            Urgency = edit.Urgency,
            UrgencyReason = edit.Urgency == triage.Urgency ? triage.UrgencyReason : $"Set to {edit.Urgency.ToString().ToLowerInvariant()} by a member of the clinic.",
            SenderProvider = Edited(triage.SenderProvider, edit.SenderProvider),
            SenderClinic = Edited(triage.SenderClinic, edit.SenderClinic),
            SenderFax = Edited(triage.SenderFax, edit.SenderFax),
            PatientName = Edited(triage.PatientName, edit.PatientName),
            PatientDateOfBirth = Edited(triage.PatientDateOfBirth, edit.PatientDateOfBirth),
        };
        return await SaveChangeAsync(actorId);
    }

    public async Task<IntakeItemView> Tick(string actorId, bool clinicianList, int index, bool done)
    {
        var triage = await TriagedForAsync(actorId, clinicianList ? ClinicAction.TickClinicianTasks : ClinicAction.WorkInbox);
        var tasks = (clinicianList ? triage.ClinicianTasks : triage.FrontDeskTasks).ToList();
        if (index < 0 || index >= tasks.Count)
        {
            throw new ClinicRefusedException("There is no such task on this item.");
        }

        tasks[index] = done ? tasks[index] with { Done = true, DoneBy = actorId, DoneAt = Time.GetUtcNow() } : tasks[index] with { Done = false, DoneBy = null, DoneAt = null };
        S.Triage = clinicianList ? triage with { ClinicianTasks = tasks } : triage with { FrontDeskTasks = tasks };
        return await SaveChangeAsync(actorId);
    }

    public async Task<IntakeItemView> Assign(string actorId, string clinicianId, string analysisId)
    {
        _ = await TriagedForAsync(actorId, ClinicAction.WorkInbox);
        if (S.AssignedTo == clinicianId && S.AnalysisId is not null)
        {
            return View(S);
        }

        if (await GrainFactory.GetGrain<IUserGrain>(clinicianId).CurrentClinicId() != Upload.ClinicId
            || !(await GrainFactory.GetGrain<IClinicGrain>(Upload.ClinicId).RolesOf(clinicianId)).HasFlag(ClinicRoles.Clinician))
        {
            throw new ClinicRefusedException("Choose a clinician of this clinic.");
        }

        // The analysis reads the text already read here, from its own encrypted copy: no second OCR, no second charge for it.
        var content = text.State.Text ?? "";
        var key = BlobKeys.NewUploadKey(analysisId);
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        await blobs.PutAsync(key, new MemoryStream(bytes), "text/plain", CancellationToken.None);
        try
        {
            await GrainFactory.GetGrain<IAnalysisGrain>(analysisId).Start(
                new AnalysisRequest(clinicianId, key, InputKind.Text, "text/plain", bytes.Length, "auto", false, actorId, S.TextSource, Id));
        }
        catch (Exception)
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }

        S.AssignedTo = clinicianId;
        S.AnalysisId = analysisId;
        return await SaveChangeAsync(actorId);
    }

    public async Task<IntakeItemView> MarkDone(string actorId)
    {
        await ClinicChecks.RequireMemberAsync(GrainFactory, RequireExists().ClinicId, actorId, ClinicAction.WorkInbox);
        if (!IsTerminal(S.Stage))
        {
            throw new ClinicRefusedException("This document is still being read.");
        }

        S.DoneAt ??= Time.GetUtcNow();
        return await SaveChangeAsync(actorId);
    }

    public async Task<bool> Delete()
    {
        if (S.Upload is not { } upload)
        {
            return false;
        }

        await CancelRunAsync();
        await blobs.DeleteAsync(upload.BlobKey, CancellationToken.None);
        await index.RemoveAsync(upload.ClinicId, Id, CancellationToken.None);
        await EndUnfinishedAsync();
        await text.ClearStateAsync();
        await State.ClearStateAsync();
        await publisher.ChangedAsync(upload.ClinicId, Id);
        DeactivateOnIdle();
        return true;
    }

    public override async Task AuditFinishedAsync(bool succeeded, string? failureMessage, TimeSpan duration)
    {
        await SaveIndexAsync(publish: true);
        await auditor.IntakeTriagedAsync(Upload.ClinicId, Upload.UploadedBy, Id, succeeded, failureMessage, duration, S.TokensUsed);
    }

    protected override int PercentAt(JobStage stage) => IntakeStages.PercentAt(stage);

    protected override async Task<JobStage> RunStageAsync(JobStage stage, CancellationToken cancellation)
    {
        var document = new DocumentToRead(Id, Upload.BlobKey, Upload.Kind, Upload.MediaType, OcrLimits.MaxFaxPages);
        switch (stage)
        {
            case JobStage.Extracting:
                var layer = await reader.TextLayerAsync(document, cancellation);
                S.PageCount = layer.PageCount;
                if (MeaningfulText.IsMeaningful(layer.Text))
                {
                    await KeepTextAsync(layer.Text, TextSource.TextLayer);
                }

                break;
            case JobStage.Ocr:
                var read = await reader.OcrAsync(document, S.PageCount, User, cancellation);
                S.PageCount = read.Pages.Count;
                await KeepTextAsync(read.Text, TextSource.Ocr);
                break;
            case JobStage.Triaging:
                await TriageAsync(cancellation);
                break;
            default:
                throw new InvalidOperationException($"No work is defined for stage {stage}.");
        }

        return IntakeStages.Next(stage, text.State.Text is not null);
    }

    private async Task TriageAsync(CancellationToken cancellation)
    {
        if (S.Triage is not null)
        {
            return;
        }

        var clinic = GrainFactory.GetGrain<IClinicGrain>(Upload.ClinicId);
        var clinicians = (await clinic.Read())?.Members.Where(m => m.Roles.HasFlag(ClinicRoles.Clinician)).Select(m => new TriageClinician(m.UserId, m.Email)).ToList() ?? [];
        var settings = await clinic.InboxSettings();
        var pageText = text.State.Text ?? "";
        var sent = pageText.Length <= ExtractedTextLimits.MaxAnalysedCharacters ? pageText : pageText[..ExtractedTextLimits.MaxAnalysedCharacters];

        var answer = await triager.TriageAsync(sent, clinicians.Select(c => c.Email).ToList(), cancellation);
        S.TokensUsed += answer.TokensUsed;
        Telemetry.LlmTokens("triage", answer.TokensUsed);
        S.Triage = IntakeTriageRules.Apply(answer.Document, pageText, clinicians, settings);
    }

    private async Task KeepTextAsync(string read, TextSource source)
    {
        S.TextSource = source;
        text.State.Text = read.Length <= IntakeStages.MaxKeptCharacters ? read : read[..IntakeStages.MaxKeptCharacters];
        await GrainStorage.WriteAsync(text);
    }

    private IntakeUpload RequireExists() => S.Upload ?? throw new ClinicRefusedException("There is no such item.");

    /// <summary>The triage, once the item is triaged and the actor may act on it.</summary>
    private async Task<IntakeTriage> TriagedForAsync(string actorId, ClinicAction action)
    {
        await ClinicChecks.RequireMemberAsync(GrainFactory, RequireExists().ClinicId, actorId, action);
        return S.Stage == JobStage.Complete && S.Triage is { } triage
            ? triage
            : throw new ClinicRefusedException(S.Stage == JobStage.Failed ? "This document could not be read, so there is nothing to change." : "This document is still being read.");
    }

    private async Task<IntakeItemView> SaveChangeAsync(string actorId)
    {
        S.LastEditedBy = actorId;
        await GrainStorage.WriteAsync(State);
        await SaveIndexAsync(publish: true);
        return View(S);
    }

    private async Task SaveIndexAsync(bool publish)
    {
        var triage = S.Triage;
        var sender = triage is null ? "" : string.Join(", ", new[] { triage.SenderProvider.Value, triage.SenderClinic.Value }.Where(v => v.Length > 0));
        var row = new IntakeIndexRow(
            Upload.ClinicId,
            Id,
            S.CreatedAt,
            IntakeStages.Status(S.Stage, S.AssignedTo, S.DoneAt),
            triage?.Kind,
            triage?.Urgency,
            triage?.PatientName.Value ?? "",
            triage?.PatientDateOfBirth.Value ?? "",
            sender,
            S.AssignedTo,
            Upload.FileName,
            Upload.UploadedBy,
            S.FailureMessage);
        try
        {
            await index.SaveAsync(row, CancellationToken.None);
            if (publish)
            {
                await publisher.ChangedAsync(Upload.ClinicId, Id);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The state is saved; the row is written again on the next change or activation.
            LogIndexNotSaved(Id, ex.GetType().Name);
        }
    }

    private IntakeItemView View(IntakeItemState s) => new(
        Id,
        s.Upload!,
        IntakeStages.Status(s.Stage, s.AssignedTo, s.DoneAt),
        s.Stage,
        s.Percent,
        s.FailureMessage,
        s.CreatedAt,
        s.TextSource,
        s.PageCount,
        s.Triage,
        s.AssignedTo,
        s.AnalysisId,
        s.DoneAt,
        s.LastEditedBy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The inbox index row of item {ItemId} was not saved: {ErrorType}")]
    private partial void LogIndexNotSaved(string itemId, string errorType);
}
