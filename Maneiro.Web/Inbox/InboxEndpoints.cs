using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Web.Security;

namespace Maneiro.Web.Inbox;

/// <summary>The inbox's upload, status and original-file endpoints, and its services.</summary>
public static class InboxEndpoints
{
    public static IEndpointRouteBuilder MapInboxEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/inbox", async (HttpContext context, InboxIntake intake) =>
        {
            var wantsPage = !context.Request.Headers.ContainsKey("RequestVerificationToken") && Health.StatusPages.WantsHtml(context.Request);
            var outcome = await intake.SubmitAsync(context);
            if (wantsPage)
            {
                return outcome.JobId is { } id
                    ? Results.Redirect($"/Inbox/{id}", permanent: false, preserveMethod: false)
                    : Results.Redirect("/Inbox?error=" + Uri.EscapeDataString(outcome.Error ?? "The upload failed."));
            }

            return outcome.JobId is { } itemId
                ? Results.Json(new { itemId, pageUrl = $"/Inbox/{itemId}", statusUrl = $"/api/inbox/{itemId}" }, statusCode: StatusCodes.Status202Accepted)
                : Results.Json(new { error = outcome.Error }, statusCode: outcome.StatusCode);
        }).RequireAuthorization().RequireRateLimiting(RateLimits.Uploads).DisableAntiforgery();

        endpoints.MapGet("/api/inbox/{id}", async (string id, HttpContext context, InboxAccess inbox) =>
            await inbox.ItemAsync(context, id) is { } access
                ? Results.Json(Summary(access.Item))
                : Results.NotFound(new { error = "No such item." }))
            .RequireAuthorization().RequireRateLimiting(RateLimits.Api);

        // The original as it was received, for the item page (shown beside the extracted fields).
        endpoints.MapGet("/inbox/{id}/file", async (string id, HttpContext context, InboxAccess inbox, IBlobStore blobs) =>
        {
            if (await inbox.ItemAsync(context, id) is not { } access)
            {
                return Results.NotFound();
            }

            var upload = access.Item.Upload;
            var stream = await blobs.OpenReadAsync(upload.BlobKey, context.RequestAborted);
            context.Response.Headers.CacheControl = "private, no-store";
            return Results.Stream(stream, upload.MediaType, fileDownloadName: null, enableRangeProcessing: false);
        }).RequireAuthorization().RequireRateLimiting(RateLimits.Api);
        // One page of a PDF, as an image beside the fields (at most 1,200 pixels on its longest side).
        endpoints.MapGet("/inbox/{id}/pages/{page:int}", async (string id, int page, HttpContext context, InboxAccess inbox, IBlobStore blobs, Maneiro.Infrastructure.Extraction.PopplerPdf pdfs) =>
        {
            if (await inbox.ItemAsync(context, id) is not { } access || access.Item.Upload.Kind != InputKind.Pdf || page < 1 || page > Math.Max(1, access.Item.PageCount))
            {
                return Results.NotFound();
            }

            await using var stored = await blobs.OpenReadAsync(access.Item.Upload.BlobKey, context.RequestAborted);
            using var memory = new MemoryStream();
            await stored.CopyToAsync(memory, context.RequestAborted);
            try
            {
                var png = await pdfs.RenderPageAsync(memory.ToArray(), page, 1200, context.RequestAborted);
                context.Response.Headers.CacheControl = "private, no-store";
                return Results.File(png, "image/png");
            }
            catch (JobFailedException ex)
            {
                return Results.Json(new { error = ex.Message }, statusCode: StatusCodes.Status422UnprocessableEntity);
            }
        }).RequireAuthorization().RequireRateLimiting(RateLimits.Api);
        return endpoints;
    }

    public static object Summary(IntakeItemView item) => new
    {
        itemId = item.ItemId,
        status = item.Status.ToString(),
        stage = item.Stage.ToString(),
        finished = JobStages.IsTerminal(item.Stage),
        error = item.Error,
        kind = item.Triage?.Kind.ToString(),
        urgency = item.Triage?.Urgency.ToString(),
        urgencyReason = item.Triage?.UrgencyReason,
        patientName = item.Triage?.PatientName.Value,
        patientDateOfBirth = item.Triage?.PatientDateOfBirth.Value,
        textSource = item.TextSource.ToString(),
        pages = item.PageCount,
        assignedTo = item.AssignedTo,
        analysisId = item.AnalysisId,
    };

    public static IServiceCollection AddManeiroInbox(this IServiceCollection services)
    {
        services.AddScoped<InboxIntake>();
        services.AddSingleton<InboxAccess>();
        services.AddScoped<InboxAssignments>();
        services.AddHostedService<InboxRelay>();
        return services;
    }
}
