using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Infrastructure.OpenAi;
using Maneiro.Infrastructure.Pipeline;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Jobs;

public sealed record SubmitOutcome(int StatusCode, string? JobId, string? Error, AnalysisProgress? Repeat = null)
{
    public static SubmitOutcome Refused(int status, string error) => new(status, null, error);

    /// <summary>The same document with the same settings was analysed before: that analysis, nothing charged.</summary>
    public static SubmitOutcome Repeated(AnalysisProgress earlier) => new(StatusCodes.Status200OK, earlier.JobId, null, earlier);
}

/// <summary>
/// An upload becomes an analysis: the form is read as a stream, the input is stored encrypted (and fingerprinted on
/// the way), a document already analysed with the same settings is answered with that analysis (nothing parsed or
/// charged, the new copy deleted) unless the user asked to analyse it again, and otherwise a PDF is opened once, the
/// allowance is reserved once and the analysis grain starts. Anything refused leaves nothing stored and no allowance used.
/// </summary>
public sealed partial class AnalysisSubmission(IGrainFactory grains, MultipartUploadReader reader, UploadInspector inspector, IOptions<UploadOptions> options, PromptLibrary prompts, AnalysisFingerprints fingerprints, ClinicMembership memberships, ClinicTwoFactorPolicy twoFactor, AuditTrail audit, ILogger<AnalysisSubmission> log)
{
    public const string ChooseClinician = "Choose the clinician this document is for.";

    public async Task<SubmitOutcome> SubmitAsync(HttpContext context, string userId)
    {
        var jobId = Guid.NewGuid().ToString("N");
        var (actor, refusal) = await SubmitterAsync(context);
        if (refusal is not null)
        {
            return refusal;
        }

        // Whose analysis it is (and whose allowance it uses): the clinician's own, or, for staff, the clinician named
        // in the form, once the form is read. Until then nothing is reserved.
        var user = grains.GetGrain<IUserGrain>(userId);
        var limits = options.Value;
        var (reserved, input, started) = (false, (StoredInput?)null, false);

        try
        {
            var form = await reader.ReadAsync(context, limits, async file => input = await inspector.StoreUncheckedFileAsync(file, jobId, context.RequestAborted));
            var specialty = form.Field("specialty") is { Length: > 0 } s ? s.ToLowerInvariant() : "auto";
            if (!prompts.Specialties.Contains(specialty))
            {
                throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Choose a specialty from the list.");
            }

            if (input is null)
            {
                input = await inspector.StoreTextAsync(PastedText(form, limits), jobId, context.RequestAborted);
            }

            if (!actor.Roles.HasFlag(ClinicRoles.Clinician))
            {
                userId = await OwnerForAsync(actor, form.Field("forClinician")) ?? throw new UploadRefusedException(StatusCodes.Status400BadRequest, ChooseClinician);
                user = grains.GetGrain<IUserGrain>(userId);
            }

            var forceOcr = form.Field("forceOcr") is "true" or "on";
            var speech = input.Type.Kind == InputKind.Audio ? SpeechChoices.Read(form.Field, await grains.GetGrain<IUserGrain>(actor.UserId).ReviewsTranscripts()) : null;
            var fingerprint = fingerprints.Of(userId, input.Sha256, specialty + SpeechChoices.FingerprintPart(speech), forceOcr);
            if (form.Field("reanalyze") is not ("true" or "on") && await EarlierAnalysisAsync(userId, fingerprint, context.RequestAborted) is { } earlier)
            {
                await inspector.DeleteAsync(input);
                await audit.RecordAsync(AuditActions.Upload, AuditOutcomes.Success, actor.UserId, earlier.JobId, new { kind = input.Type.Kind.ToString(), bytes = input.Size, repeatOf = earlier.JobId }, actor.ClinicId);
                return SubmitOutcome.Repeated(earlier);
            }

            // A repeat was answered above without parsing anything; a new PDF is read once, before it costs anything,
            // and its job is handed the text instead of parsing the document again.
            var textLayer = await inspector.ReadPdfAsync(input, actor.UserId, context.RequestAborted);
            var request = new AnalysisRequest(userId, input.Key, input.Type.Kind, input.Type.MediaType, input.Size, specialty, forceOcr, actor.UserId, Speech: speech, AllowanceReserved: true);

            // The owner's grain reserves and starts in one call (releasing when the start fails); should the call
            // itself fail, the cleanup below releases too (releasing is idempotent).
            reserved = true;
            var reservation = await user.StartAnalysis(jobId, request, textLayer);
            if (!reservation.Granted)
            {
                reserved = false;
                throw new UploadRefusedException(StatusCodes.Status402PaymentRequired, reservation.DeniedReason!);
            }

            started = true;
            LogSubmitted(log, jobId, userId, input.Type.Kind, input.Size);
            await RememberAsync(userId, fingerprint, jobId);
            await audit.RecordTogetherAsync([new(AuditActions.Upload, AuditOutcomes.Success, jobId, new { kind = input.Type.Kind.ToString(), bytes = input.Size }), new(AuditActions.JobStarted, AuditOutcomes.Success, jobId)], actor.UserId, actor.ClinicId);
            return new SubmitOutcome(StatusCodes.Status202Accepted, jobId, null);
        }
        catch (UploadRefusedException ex)
        {
            return await RefuseAsync(ex.Status, ex.Message);
        }
        catch (UploadTooLargeException)
        {
            return await RefuseAsync(StatusCodes.Status413PayloadTooLarge, UploadInspector.TooLarge(limits.MaxAudioBytes, "audio"));
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or InvalidDataException)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, "The upload was cut off or malformed. Please try again.");
        }
        catch (Exception) when (!started)
        {
            // Anything else before the job started (the client gone, storage or the cluster failing): nothing may
            // stay behind. The error itself goes on to the 503/500 handlers.
            await CleanUpAsync();
            throw;
        }

        async Task<SubmitOutcome> RefuseAsync(int status, string error)
        {
            if (reserved || input is not null)
            {
                await CleanUpAsync();
                await audit.RecordAsync(AuditActions.Upload, AuditOutcomes.Failure, actor.UserId, details: new { status }, clinicId: actor.ClinicId);
            }

            return SubmitOutcome.Refused(status, error);
        }

        async Task CleanUpAsync()
        {
            await inspector.DeleteAsync(input);
            if (reserved)
            {
                await user.Release(jobId);
            }
        }
    }

    /// <summary>The member submitting, or why they may not submit documents.</summary>
    public async Task<(Membership Actor, SubmitOutcome? Refusal)> SubmitterAsync(HttpContext context)
    {
        var actor = await memberships.ForAsync(context);
        if (actor is null || !actor.Can(ClinicAction.SubmitDocument))
        {
            return (actor!, SubmitOutcome.Refused(StatusCodes.Status403Forbidden, "Your role in the clinic does not include uploading documents. Ask an admin to make you a clinician or staff member."));
        }

        return await twoFactor.MustSetUpAsync(context)
            ? (actor, SubmitOutcome.Refused(StatusCodes.Status403Forbidden, ClinicTwoFactorPolicy.Required))
            : (actor, null);
    }

    /// <summary>Whose analysis an upload by <paramref name="actor"/> is: their own as a clinician, else the named clinician of their clinic (null when that is no clinician there).</summary>
    public async Task<string?> OwnerForAsync(Membership actor, string? forClinician) =>
        actor.Roles.HasFlag(ClinicRoles.Clinician) ? actor.UserId
        : forClinician is { Length: > 0 } clinician && (await memberships.RolesInSameClinicAsync(actor, clinician)).HasFlag(ClinicRoles.Clinician) ? clinician
        : null;

    /// <summary>
    /// A browser recording, assembled into one upload, becomes the analysis of the same id: the allowance reserved once
    /// (a repeated call changes nothing), the recorder's language, mode and review choice passed on. A refusal leaves the
    /// recording as it is, to submit again later or discard.
    /// </summary>
    public async Task<SubmitOutcome> SubmitRecordingAsync(HttpContext context, RecordingView recording, AssembledRecording upload)
    {
        var (actor, refusal) = await SubmitterAsync(context);
        if (refusal is not null)
        {
            return refusal;
        }

        if (await OwnerForAsync(actor, recording.Settings.ForClinician) is not { } ownerId)
        {
            return SubmitOutcome.Refused(StatusCodes.Status400BadRequest, ChooseClinician);
        }

        // The owner's grain reserves and starts (releasing when the start fails).
        var settings = recording.Settings;
        var request = new AnalysisRequest(ownerId, upload.BlobKey, InputKind.Audio, upload.MediaType, upload.Bytes, settings.Specialty, false, actor.UserId, Speech: settings.Speech, AllowanceReserved: true);
        if (await grains.GetGrain<IUserGrain>(ownerId).StartAnalysis(recording.Id, request, null) is { Granted: false } denied)
        {
            return SubmitOutcome.Refused(StatusCodes.Status402PaymentRequired, denied.DeniedReason!);
        }

        await audit.RecordTogetherAsync([new(AuditActions.Upload, AuditOutcomes.Success, recording.Id, new { kind = nameof(InputKind.Audio), bytes = upload.Bytes, recorded = true, segments = recording.Segments }), new(AuditActions.JobStarted, AuditOutcomes.Success, recording.Id)], actor.UserId, actor.ClinicId);
        return new SubmitOutcome(StatusCodes.Status202Accepted, recording.Id, null);
    }

    /// <summary>
    /// Records the fingerprint of a started analysis. The index only saves a repeat upload its cost: if it cannot be
    /// written, the analysis (already running and charged) is still the answer, and the next identical upload is
    /// analysed afresh.
    /// </summary>
    private async Task RememberAsync(string userId, byte[] fingerprint, string jobId)
    {
        try
        {
            await fingerprints.RememberAsync(userId, fingerprint, jobId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException)
        {
            LogFingerprintNotRecorded(log, jobId, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Analysis {JobId} submitted for {UserId}: {InputKind}, {Bytes} bytes")]
    private static partial void LogSubmitted(ILogger logger, string jobId, string userId, InputKind inputKind, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The fingerprint of analysis {JobId} could not be recorded ({ErrorType}); a repeat upload of it will be analysed again")]
    private static partial void LogFingerprintNotRecorded(ILogger logger, string jobId, string errorType);

    /// <summary>
    /// The analysis recorded under this fingerprint when it still stands: the same owner's, complete or still running
    /// (a double click must not pay twice). A failed or canceled one is analysed afresh.
    /// </summary>
    private async Task<AnalysisProgress?> EarlierAnalysisAsync(string userId, byte[] fingerprint, CancellationToken cancellationToken)
    {
        if (await fingerprints.FindAsync(userId, fingerprint, cancellationToken) is not { } earlierId)
        {
            return null;
        }

        var earlier = await grains.GetGrain<IAnalysisGrain>(earlierId).GetProgress();
        return earlier is not null && earlier.OwnerId == userId && earlier.Stage is not (JobStage.Failed or JobStage.Canceled) ? earlier : null;
    }

    private static string PastedText(UploadForm form, UploadOptions limits)
    {
        var text = form.Field("text").Trim();
        return text.Length switch
        {
            0 => throw new UploadRefusedException(StatusCodes.Status400BadRequest, "Choose a file or paste the note's text."),
            var n when n > limits.MaxPastedCharacters => throw new UploadRefusedException(StatusCodes.Status413PayloadTooLarge, $"Pasted text is limited to {limits.MaxPastedCharacters:N0} characters."),
            _ => text,
        };
    }
}
