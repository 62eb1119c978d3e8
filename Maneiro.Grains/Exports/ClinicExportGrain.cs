using Maneiro.Grains.Clinics;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Microsoft.Extensions.Logging;

namespace Maneiro.Grains.Exports;

/// <summary>Persisted state of <see cref="ClinicExportGrain"/> (never the password).</summary>
[GenerateSerializer, Alias("Maneiro.ClinicExportState")]
public sealed class ClinicExportState
{
    [Id(0)] public ClinicExportView? View { get; set; }

    [Id(1)] public string? BlobKey { get; set; }
}

/// <summary>
/// Streams one clinic's data into an encrypted archive: a manifest, every analysis (progress, text and result) with
/// its original file and its letters (every version), every inbox item with its original and text, and the clinic's
/// audit rows. The archive is kept for a day, then deleted by a reminder.
/// </summary>
[GrainType("clinicexport")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The background work is disposed when the activation deactivates.")]
public sealed partial class ClinicExportGrain(
    [PersistentState("export", GrainStorage.Name)] IPersistentState<ClinicExportState> state,
    IExportArchives archives,
    IIntakeIndex intake,
    IBlobStore blobs,
    IJobIndexStore jobIndex,
    TimeProvider time,
    ILogger<ClinicExportGrain> logger) : Grain, IRemindable, IClinicExportGrain
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    public const string Interrupted = "The export was interrupted before it finished. Start a new one.";

    private const string ExpireReminder = "expire";
    private readonly Jobs.BackgroundWork _work = new();

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The password was only in the memory of the activation that ran it: an export left running cannot go on.
        if (state.State.View is { Status: ExportStatus.Running } view)
        {
            await FailAsync(view, Interrupted);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _work.StopAsync(TimeSpan.FromSeconds(10));
        _work.Dispose();
    }

    public async Task<ClinicExportView> Start(string clinicId, string actorId, string password)
    {
        if (state.State.View is { } existing)
        {
            return existing;
        }

        await ClinicChecks.RequireMemberAsync(GrainFactory, clinicId, actorId, ClinicAction.ManageData);
        var now = time.GetUtcNow();
        state.State.View = new ClinicExportView(Id, clinicId, actorId, ExportStatus.Running, 0, 0, now, null, 0, null, now + KeptFor);
        state.State.BlobKey = $"exports/{Id}/archive";
        await GrainStorage.WriteAsync(state);
        await jobIndex.AddAsync(IndexKeys.ExportsOf(clinicId), [(Id, now)]);
        await this.RegisterOrUpdateReminder(ExpireReminder, KeptFor, KeptFor);

        // The run is background work, not a request: keep the activation (and the password with it) while it lasts.
        this.DelayDeactivation(TimeSpan.FromHours(6));
        _work.Start(stop => RunAsync(password, stop));
        return state.State.View;
    }

    public Task<ClinicExportView?> View() => Task.FromResult(state.State.View);

    public async Task<string> Download(string actorId)
    {
        var view = state.State.View ?? throw new ClinicRefusedException("There is no such export.");
        await ClinicChecks.RequireMemberAsync(GrainFactory, view.ClinicId, actorId, ClinicAction.ManageData);
        return view.Status == ExportStatus.Complete ? state.State.BlobKey! : throw new ClinicRefusedException("This export is not ready.");
    }

    // A day after it started the archive goes, and so does this export.
    public Task ReceiveReminder(string reminderName, TickStatus status) => Delete();

    public async Task Delete()
    {
        await _work.StopAsync(TimeSpan.FromSeconds(10));
        if (state.State.View is { } view)
        {
            await blobs.DeleteAsync(state.State.BlobKey!, CancellationToken.None);
            await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.ExportsOf(view.ClinicId)).Remove(Id);
        }

        if (await this.GetReminder(ExpireReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    private async Task RunAsync(string password, CancellationToken stop)
    {
        var view = state.State.View!;
        try
        {
            var members = (await GrainFactory.GetGrain<IClinicGrain>(view.ClinicId).Read())?.Members ?? [];
            var analyses = new List<string>();
            foreach (var member in members)
            {
                foreach (var id in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(member.UserId)).Page(0, int.MaxValue))
                {
                    if (!analyses.Contains(id) && await GrainFactory.GetGrain<IAnalysisGrain>(id).GetProgress() is { } p && members.Any(m => m.UserId == p.OwnerId))
                    {
                        analyses.Add(id);
                    }
                }
            }

            var items = await intake.ReceivedBeforeAsync(view.ClinicId, DateTimeOffset.MaxValue, stop);
            view = view with { Total = analyses.Count + items.Count + 1 };
            var manifest = new ExportManifest(view.ClinicId, view.RequestedBy, view.StartedAt, [], [], 0, []);
            await using (var archive = archives.Open(state.State.BlobKey!, password))
            {
                foreach (var id in analyses)
                {
                    stop.ThrowIfCancellationRequested();
                    manifest.Analyses.Add(await AddAnalysisAsync(archive, id, manifest.MissingFiles, stop));
                    view = await ProgressAsync(view);
                }

                foreach (var id in items)
                {
                    stop.ThrowIfCancellationRequested();
                    manifest.IntakeItems.Add(await AddIntakeItemAsync(archive, id, manifest.MissingFiles, stop));
                    view = await ProgressAsync(view);
                }

                manifest = manifest with { AuditRows = await archive.AddAuditAsync("audit.json", view.ClinicId, stop) };
                await archive.AddJsonAsync("manifest.json", manifest, stop);
                var size = await archive.CompleteAsync(stop);
                view = view with { Done = view.Total, Status = ExportStatus.Complete, FinishedAt = time.GetUtcNow(), SizeBytes = size };
            }

            state.State.View = view;
            await GrainStorage.WriteAsync(state);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogExportFailed(Id, ex.GetType().Name);
            await FailAsync(view, stop.IsCancellationRequested ? Interrupted : "The export could not be finished. Start a new one; if it fails again, contact support.");
        }
    }

    private async Task<ExportedAnalysis> AddAnalysisAsync(IExportArchive archive, string id, List<string> missing, CancellationToken stop)
    {
        var analysis = GrainFactory.GetGrain<IAnalysisGrain>(id);
        var request = (await analysis.Request())!;
        var record = new { progress = await analysis.GetProgress(), output = await analysis.GetResult() };
        await archive.AddJsonAsync($"analyses/{id}/analysis.json", record, stop);
        var original = $"analyses/{id}/original{Extension(request.MediaType)}";
        if (!await archive.AddBlobAsync(original, request.BlobKey, stop))
        {
            // Deleted after transcription (a recording), or by hand: listed, not an error.
            missing.Add(original);
            original = "";
        }

        var letters = new List<string>();
        foreach (var letterId in await GrainFactory.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(id)).Page(0, int.MaxValue))
        {
            if (await GrainFactory.GetGrain<ILetterGrain>(letterId).GetStatus() is { } letter)
            {
                await archive.AddJsonAsync($"analyses/{id}/letters/{letterId}.json", letter, stop);
                letters.Add($"analyses/{id}/letters/{letterId}.json");
            }
        }

        return new ExportedAnalysis(id, $"analyses/{id}/analysis.json", original, letters);
    }

    private async Task<ExportedIntakeItem> AddIntakeItemAsync(IExportArchive archive, string id, List<string> missing, CancellationToken stop)
    {
        var item = GrainFactory.GetGrain<IIntakeItemGrain>(id);
        var view = await item.View();
        await archive.AddJsonAsync($"inbox/{id}/item.json", new { item = view, text = await item.Text() }, stop);
        var original = view is null ? "" : $"inbox/{id}/original{Extension(view.Upload.MediaType)}";
        if (view is not null && !await archive.AddBlobAsync(original, view.Upload.BlobKey, stop))
        {
            missing.Add(original);
            original = "";
        }

        return new ExportedIntakeItem(id, $"inbox/{id}/item.json", original);
    }

    private async Task<ClinicExportView> ProgressAsync(ClinicExportView view)
    {
        view = view with { Done = view.Done + 1 };
        state.State.View = view;

        // Saved now and then: the page shows progress, and nothing depends on the exact count after a crash.
        if (view.Done % 10 == 0 || view.Done == 1)
        {
            await GrainStorage.WriteAsync(state);
        }

        return view;
    }

    private async Task FailAsync(ClinicExportView view, string error)
    {
        state.State.View = view with { Status = ExportStatus.Failed, Error = error, FinishedAt = time.GetUtcNow() };
        await blobs.DeleteAsync(state.State.BlobKey!, CancellationToken.None);
        await GrainStorage.WriteAsync(state);
    }

    private static string Extension(string mediaType) => mediaType switch
    {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        "image/tiff" => ".tiff",
        "text/plain" => ".txt",
        "audio/mpeg" => ".mp3",
        "audio/wav" or "audio/x-wav" => ".wav",
        "audio/mp4" => ".m4a",
        "audio/webm" => ".webm",
        "audio/ogg" => ".ogg",
        _ => ".bin",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clinic export {ExportId} failed: {ErrorType}")]
    private partial void LogExportFailed(string exportId, string errorType);
}

/// <summary>The archive's table of contents (manifest.json): where each record and original file is.</summary>
public sealed record ExportManifest(string ClinicId, string ExportedBy, DateTimeOffset ExportedAt, List<ExportedAnalysis> Analyses, List<ExportedIntakeItem> IntakeItems, int AuditRows, List<string> MissingFiles);

public sealed record ExportedAnalysis(string Id, string Record, string Original, IReadOnlyList<string> Letters);

public sealed record ExportedIntakeItem(string Id, string Record, string Original);
