using System.Security.Claims;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.SignalR;

namespace Maneiro.Web.Jobs;

/// <summary>The JSON API for scripted use, with the same authorization as the pages.</summary>
public static class AnalysisEndpoints
{
    /// <summary>What a script without a valid antiforgery token is told (as for uploads), instead of a 500.</summary>
    public const string FormExpired = "The form expired. Reload the page and try again.";

    public static IEndpointRouteBuilder MapAnalysisEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization();

        api.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Json(new { token = tokens.RequestToken, headerName = tokens.HeaderName });
        });

        // The browser's time zone, sent once by the layout's script when the account has none (a choice made on the
        // account page is never overwritten by it).
        api.MapPost("/account/timezone", async (TimeZoneChoice body, HttpContext context, IGrainFactory grains, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = FormExpired });
            }

            if (!Maneiro.Grains.Domain.TimeZones.IsKnown(body.TimeZone))
            {
                return Results.BadRequest(new { error = "Unknown time zone." });
            }

            await grains.GetGrain<IUserGrain>(context.User.FindFirstValue(ClaimTypes.NameIdentifier)!).SetTimeZone(body.TimeZone!, onlyIfUnset: true);
            return Results.NoContent();
        }).RequireRateLimiting(RateLimits.Api);

        api.MapPost("/analyze", async (HttpContext context, AnalysisSubmission submission) =>
        {
            var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
            // Decided before the form is read: the reader copies a form's token into the header it checks.
            var wantsPage = !context.Request.Headers.ContainsKey("RequestVerificationToken") && Health.StatusPages.WantsHtml(context.Request);
            var outcome = await submission.SubmitAsync(context, userId);
            if (wantsPage)
            {
                // A plain form post (no script): go to the job page, or back to the form with the message.
                return outcome.JobId is { } id
                    ? Results.Redirect(outcome.Repeat is null ? $"/Jobs/{id}" : $"/Jobs/{id}?repeat=1", permanent: false, preserveMethod: false)
                    : Results.Redirect("/?error=" + Uri.EscapeDataString(outcome.Error ?? "The upload failed."));
            }

            if (outcome.Repeat is { } earlier)
            {
                // Nothing new was started or charged: the earlier analysis of the same document and settings.
                return Results.Json(new { jobId = earlier.JobId, statusUrl = $"/api/jobs/{earlier.JobId}", pageUrl = $"/Jobs/{earlier.JobId}?repeat=1", repeat = true, analyzedAt = earlier.CreatedAt, stage = earlier.Stage.ToString() });
            }

            return outcome.JobId is { } jobId
                ? Results.Json(new { jobId, statusUrl = $"/api/jobs/{jobId}", pageUrl = $"/Jobs/{jobId}" }, statusCode: StatusCodes.Status202Accepted)
                : Results.Json(new { error = outcome.Error }, statusCode: outcome.StatusCode);
        }).RequireRateLimiting(RateLimits.Uploads).DisableAntiforgery();

        api.MapGet("/jobs/{id}", async (string id, HttpContext context, AnalysisAccess jobs, Clinics.SweptNotices swept) =>
            await jobs.ForUserAsync(context.User, id) is { } progress
                ? Results.Json(progress.Stage switch
                {
                    JobStage.Complete => JobViews.Summary(progress, (await jobs.OutputAsync(progress)).Result),
                    JobStage.Reviewing => JobViews.Summary(progress, transcript: (await jobs.OutputAsync(progress)).ExtractedText),
                    _ => JobViews.Summary(progress),
                })
                : await swept.ForAsync(context, id) is { } record
                    ? Results.Json(new { error = Clinics.SweptNotices.Describe(record), deletedAt = record.SweptAt }, statusCode: StatusCodes.Status410Gone)
                    : Results.NotFound(new { error = "No such job." }))
            .RequireRateLimiting(RateLimits.Api);

        api.MapPost("/jobs/{id}/cancel", async (string id, HttpContext context, AnalysisAccess jobs, IAntiforgery antiforgery, AuditTrail audit) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = FormExpired });
            }

            if (await jobs.ForUserAsync(context.User, id) is null)
            {
                return Results.NotFound(new { error = "No such job." });
            }

            var status = await jobs.Grain(id).Cancel();
            await audit.RecordAsync(AuditActions.JobCanceled, AuditOutcomes.Success, target: id);
            return Results.Json(JobViews.Summary(status!));
        }).RequireRateLimiting(RateLimits.Api);

        // Ends a transcript review: {"transcript": "..."} analyzes the edit, an absent or null transcript the one heard.
        api.MapPost("/jobs/{id}/transcript", async (string id, TranscriptReview body, HttpContext context, AnalysisAccess jobs, IAntiforgery antiforgery, AuditTrail audit) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = FormExpired });
            }

            if (await jobs.ForUserAsync(context.User, id) is not { } job)
            {
                return Results.NotFound(new { error = "No such job." });
            }

            if (job.Stage != JobStage.Reviewing)
            {
                return Results.Conflict(new { error = "This analysis is not waiting for a transcript review." });
            }

            if (body.Transcript is { } text && Maneiro.Grains.Domain.Jobs.TranscriptEdit.Problem(Maneiro.Grains.Domain.Jobs.TranscriptEdit.Normalize(text)) is { } problem)
            {
                return Results.BadRequest(new { error = problem });
            }

            var status = await EndReviewAsync(jobs, audit, job, body.Transcript);
            return Results.Json(JobViews.Summary(status), statusCode: StatusCodes.Status202Accepted);
        }).RequireRateLimiting(RateLimits.Api);

        api.MapDelete("/jobs/{id}", async (string id, HttpContext context, AnalysisAccess jobs, IAntiforgery antiforgery, AuditTrail audit) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest(new { error = FormExpired });
            }

            if (await jobs.ForUserAsync(context.User, id) is null)
            {
                return Results.NotFound(new { error = "No such job." });
            }

            await jobs.Grain(id).Delete();
            await audit.RecordAsync(AuditActions.JobDeleted, AuditOutcomes.Success, target: id);
            return Results.NoContent();
        }).RequireRateLimiting(RateLimits.Api);

        // A connection ends when its sign-in cookie expires (idle timeout); the page's client reconnects with a fresh one.
        endpoints.MapHub<JobsHub>(JobsHub.Path, o => o.CloseOnAuthenticationExpiration = true);
        return endpoints;
    }

    /// <summary>
    /// Ends a transcript review (the page's form and the API): the transcript, edited or as heard, is analyzed, and the
    /// review is audited with whether it was edited, once, by the call that ended it.
    /// </summary>
    public static async Task<AnalysisProgress> EndReviewAsync(AnalysisAccess jobs, AuditTrail audit, AnalysisProgress job, string? transcript)
    {
        var after = (await jobs.Grain(job.JobId).AnalyzeTranscript(transcript))!;
        if (job.Stage == JobStage.Reviewing && after.Stage != JobStage.Reviewing)
        {
            var edited = (await jobs.OutputAsync(after)).OriginalTranscript is not null;
            await audit.RecordAsync(AuditActions.TranscriptReviewed, AuditOutcomes.Success, target: job.JobId, details: new { edited });
        }

        return after;
    }

    public static IServiceCollection AddManeiroAnalyses(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<UploadOptions>(configuration.GetSection(UploadOptions.SectionName));
        services.AddScoped<AnalysisSubmission>();
        services.AddScoped<MultipartUploadReader>();
        services.AddScoped<UploadInspector>();
        services.AddSingleton<AnalysisAccess>();
        services.AddSingleton<HubConnectionRegistry>();
        services.AddSingleton<SessionRevocation>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRevocation>());
        services.AddSignalR(o => o.AddFilter<HubSessionFilter>());
        services.AddHostedService<JobProgressRelay>();
        return services;
    }
}

/// <summary>The body of a transcript review: the edited transcript, or null to analyze it as heard.</summary>
public sealed record TranscriptReview(string? Transcript);

/// <summary>The body of a time-zone suggestion: an IANA id such as "America/Sao_Paulo".</summary>
public sealed record TimeZoneChoice(string? TimeZone);
