using System.Security.Claims;
using System.Security.Cryptography;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Audit;
using Maneiro.Infrastructure.OpenAi;
using Maneiro.Web.Audit;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Jobs;

/// <summary>What the recorder sends to start a recording.</summary>
public sealed record RecordingStart(string? MediaType, string? Specialty, string? Language, string? Mode, bool? Review, string? ForClinician);

/// <summary>What the recorder sends when it stops: how many chunks the current segment has (null: keep what arrived).</summary>
public sealed record RecordingFinish(int? Chunks);

/// <summary>
/// Browser recordings: started, fed in ordered chunks (each stored encrypted in the blob store before it is
/// acknowledged, so any web instance may take any chunk and a retried chunk is stored once), resumed after a break,
/// and finished into an analysis; or discarded. Only the member who started a recording sees it.
/// </summary>
public static class RecordingEndpoints
{
    /// <summary>The most one chunk may carry (the recorder sends one every few seconds, a few kilobytes each).</summary>
    public const int MaxChunkBytes = 4 * 1024 * 1024;

    public const string NotArrived = "Part of the recording has not arrived yet. Keep this page open while it is sent.";
    public const string Closed = "This recording was already submitted, or it was discarded.";
    public const string NothingRecorded = "Nothing was recorded. Check the microphone and try again.";

    private static readonly string[] RecorderTypes = ["audio/webm", "audio/ogg"];

    public static IEndpointRouteBuilder MapRecordingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/recordings").RequireAuthorization().RequireRateLimiting(RateLimits.Api);

        api.MapGet("", async (HttpContext context, IGrainFactory grains) =>
            Results.Json((await UnfinishedAsync(grains, UserId(context))).Select(Describe)));

        api.MapPost("", async (RecordingStart body, HttpContext context, IGrainFactory grains, IAntiforgery antiforgery, AnalysisSubmission submission, PromptLibrary prompts, IOptions<UploadOptions> uploads) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = AnalysisEndpoints.FormExpired });
            }

            var (actor, refusal) = await submission.SubmitterAsync(context);
            if (refusal is not null)
            {
                return Results.Json(new { error = refusal.Error }, statusCode: refusal.StatusCode);
            }

            // "audio/webm;codecs=opus" is what the recorder names; the container is what counts.
            var mediaType = (body.MediaType ?? "").Split(';')[0].Trim().ToLowerInvariant();
            if (!RecorderTypes.Contains(mediaType))
            {
                return Results.BadRequest(new { error = "This browser records in a format Maneiro cannot read. Upload the recording as a file instead." });
            }

            var specialty = body.Specialty is { Length: > 0 } s ? s.ToLowerInvariant() : "auto";
            if (!prompts.Specialties.Contains(specialty))
            {
                return Results.BadRequest(new { error = "Choose a specialty from the list." });
            }

            if (await submission.OwnerForAsync(actor, body.ForClinician) is null)
            {
                return Results.BadRequest(new { error = AnalysisSubmission.ChooseClinician });
            }

            SpeechOptions speech;
            try
            {
                var fields = new Dictionary<string, string> { ["language"] = body.Language ?? "", ["mode"] = body.Mode ?? "", ["review"] = body.Review switch { true => "true", false => "false", null => "" } };
                speech = SpeechChoices.Read(name => fields.GetValueOrDefault(name) ?? "", await grains.GetGrain<IUserGrain>(actor.UserId).ReviewsTranscripts());
            }
            catch (UploadRefusedException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }

            var id = Guid.NewGuid().ToString("N");
            var view = await grains.GetGrain<IRecordingGrain>(id).Begin(new RecordingSettings(actor.UserId, mediaType, specialty, speech, actor.Roles.HasFlag(ClinicRoles.Clinician) ? null : body.ForClinician), uploads.Value.MaxAudioBytes);
            return Results.Json(Describe(view), statusCode: StatusCodes.Status201Created);
        });

        api.MapPut("/{id}/chunks/{segment:int}/{sequence:int}", async (string id, int segment, int sequence, HttpContext context, IGrainFactory grains, IAntiforgery antiforgery, IBlobStore blobs) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = AnalysisEndpoints.FormExpired });
            }

            var recording = grains.GetGrain<IRecordingGrain>(id);
            if (await MineAsync(recording, context) is not { } view)
            {
                return Results.NotFound(new { error = "No such recording." });
            }

            var bytes = await ReadChunkAsync(context);
            if (bytes is null)
            {
                return Results.Json(new { error = "A piece of the recording was too large." }, statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            // The first chunk of each segment starts the recorder's file: it must say it is audio.
            if (bytes.Length == 0 || (sequence == 0 && FileSniffer.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, FileSniffer.HeaderBytes)))?.Kind != InputKind.Audio))
            {
                return Results.BadRequest(new { error = "This is not audio from the recorder." });
            }

            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var (admission, key) = await recording.Admit(segment, sequence, sha, bytes.Length);
            switch (admission)
            {
                case ChunkAdmission.AlreadyStored:
                    return Results.Json(new { stored = true, repeated = true });
                case ChunkAdmission.Conflict or ChunkAdmission.OutOfOrder:
                    return Results.Conflict(new { error = "This piece of the recording does not fit where it was sent." });
                case ChunkAdmission.Closed:
                    return Results.Json(new { error = Closed }, statusCode: StatusCodes.Status410Gone);
                case ChunkAdmission.TooLarge:
                    return Results.Json(new { error = UploadInspector.TooLarge(MaxAudioBytes(context), "audio") }, statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            await blobs.PutAsync(key!, new MemoryStream(bytes, writable: false), view.Settings.MediaType, context.RequestAborted);
            if (!await recording.Stored(segment, sequence, sha, bytes.Length))
            {
                // Closed meanwhile, or other bytes won a race for this number: this copy is not part of the recording.
                await blobs.DeleteAsync(key!, CancellationToken.None);
                return Results.Conflict(new { error = "This piece of the recording does not fit where it was sent." });
            }

            return Results.Json(new { stored = true, repeated = false });
        }).DisableAntiforgery();

        api.MapPost("/{id}/segments", async (string id, HttpContext context, IGrainFactory grains, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = AnalysisEndpoints.FormExpired });
            }

            var recording = grains.GetGrain<IRecordingGrain>(id);
            if (await MineAsync(recording, context) is not { Status: RecordingStatus.Recording })
            {
                return Results.NotFound(new { error = "No such recording." });
            }

            await recording.NewSegment();
            return Results.Json(Describe((await recording.View())!));
        });

        api.MapPost("/{id}/finish", async (string id, RecordingFinish body, HttpContext context, IGrainFactory grains, IAntiforgery antiforgery, AnalysisSubmission submission) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = AnalysisEndpoints.FormExpired });
            }

            var recording = grains.GetGrain<IRecordingGrain>(id);
            if (await MineAsync(recording, context) is not { } view)
            {
                return Results.NotFound(new { error = "No such recording." });
            }

            if (view.Status == RecordingStatus.Submitted)
            {
                // A repeated stop (the answer was lost): the analysis already started.
                return Results.Json(new { jobId = id, pageUrl = $"/Jobs/{id}" }, statusCode: StatusCodes.Status202Accepted);
            }

            if (view.Chunks == 0 && body.Chunks is null or 0)
            {
                return Results.BadRequest(new { error = NothingRecorded });
            }

            if (await recording.Assemble(body.Chunks) is not { } upload)
            {
                return Results.Conflict(new { error = NotArrived, received = view.ChunksPerSegment });
            }

            var outcome = await submission.SubmitRecordingAsync(context, view, upload);
            if (outcome.JobId is null)
            {
                return Results.Json(new { error = outcome.Error }, statusCode: outcome.StatusCode);
            }

            await recording.MarkSubmitted();
            return Results.Json(new { jobId = id, pageUrl = $"/Jobs/{id}" }, statusCode: StatusCodes.Status202Accepted);
        });

        api.MapDelete("/{id}", async (string id, HttpContext context, IGrainFactory grains, IAntiforgery antiforgery, AuditTrail audit) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = AnalysisEndpoints.FormExpired });
            }

            var recording = grains.GetGrain<IRecordingGrain>(id);
            if (await MineAsync(recording, context) is not { Status: RecordingStatus.Recording })
            {
                return Results.NotFound(new { error = "No such recording." });
            }

            await recording.Discard();
            await audit.RecordAsync(AuditActions.RecordingDiscarded, AuditOutcomes.Success, target: id);
            return Results.NoContent();
        });

        return endpoints;
    }

    /// <summary>The member's recordings that were started and never submitted (still within their day).</summary>
    public static async Task<IReadOnlyList<RecordingView>> UnfinishedAsync(IGrainFactory grains, string userId)
    {
        var ids = await grains.GetGrain<IJobIndexGrain>(IndexKeys.RecordingsOf(userId)).Page(0, 20);
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IRecordingGrain>(id).View()));
        return views.Where(v => v is { Status: RecordingStatus.Recording } && v.Settings.RecordedBy == userId).Select(v => v!).ToList();
    }

    public static object Describe(RecordingView view) => new
    {
        id = view.Id,
        status = view.Status.ToString(),
        startedAt = view.StartedAt,
        lastChunkAt = view.LastChunkAt,
        segment = view.Segments - 1,
        chunks = view.Chunks,
        chunksPerSegment = view.ChunksPerSegment,
        bytes = view.Bytes,
        mediaType = view.Settings.MediaType,
        language = view.Settings.Speech.Language ?? "",
        mode = view.Settings.Speech.LiveVisit ? "visit" : "dictation",
        review = view.Settings.Speech.Review,
        specialty = view.Settings.Specialty,
    };

    private static string UserId(HttpContext context) => context.User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static long MaxAudioBytes(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<UploadOptions>>().Value.MaxAudioBytes;

    private static async Task<RecordingView?> MineAsync(IRecordingGrain recording, HttpContext context) =>
        await recording.View() is { } view && view.Settings.RecordedBy == UserId(context) ? view : null;

    /// <summary>The chunk's bytes, or null when it is over <see cref="MaxChunkBytes"/> (read no further).</summary>
    private static async Task<byte[]?> ReadChunkAsync(HttpContext context)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            if (memory.Length + read > MaxChunkBytes)
            {
                return null;
            }

            memory.Write(buffer, 0, read);
        }

        return memory.ToArray();
    }
}
