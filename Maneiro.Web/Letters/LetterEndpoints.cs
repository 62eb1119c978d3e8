using System.Security.Claims;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Domain.Letters;
using Maneiro.Infrastructure.Audit;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Security;

namespace Maneiro.Web.Letters;

/// <summary>The letter's status for scripts and the polling fallback, and its PDF export.</summary>
public static class LetterEndpoints
{
    public static IEndpointRouteBuilder MapLetterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/letters/{id}", async (string id, ClaimsPrincipal user, LetterAccess letters) =>
            await letters.ForUserAsync(user, id) is { } status ? Results.Json(LetterViews.Summary(status)) : Results.NotFound(new { error = "No such letter." }))
            .RequireAuthorization().RequireRateLimiting(RateLimits.Api);

        endpoints.MapGet("/letters/{id}/pdf", async (string id, HttpContext context, LetterAccess letters, ClinicMembership memberships, LetterExport export, AuditTrail audit, TimeProvider time, IGrainFactory grains) =>
        {
            if (await letters.ForUserAsync(context.User, id) is not { } status)
            {
                return Results.NotFound(new { error = "No such letter." });
            }

            if (status.Current is null)
            {
                return Results.Conflict(new { error = "This letter has no text yet; wait until it is drafted." });
            }

            // Open "Check before sending" code items are ticked one by one (ack=CODE) or waived together (anyway=true).
            var open = LetterCodes.OpenItems(status.Notices, status.Current.Subject + "\n" + status.Current.Body, status.Context);
            var acknowledged = context.Request.Query["ack"].Where(a => !string.IsNullOrEmpty(a)).Select(a => a!).ToList();
            var anyway = context.Request.Query["anyway"] == "true";
            var unacknowledged = open.Except(acknowledged, StringComparer.Ordinal).ToList();
            if (unacknowledged.Count > 0 && !anyway)
            {
                return Results.Json(
                    new { error = "Tick each ICD-10 item under \"Check before sending\", or choose \"Export anyway\", before downloading this letter.", open = unacknowledged },
                    statusCode: StatusCodes.Status409Conflict);
            }

            // A signed letter leaves the building only through a clinician: staff work on drafts.
            if (!status.IsDraft && (await memberships.ForAsync(context))?.Can(ClinicAction.ExportSignedLetter) != true)
            {
                await audit.RecordAsync(AuditActions.LetterExported, AuditOutcomes.Denied, target: id);
                return Results.Json(new { error = "Only a clinician can download a signed letter. Ask the signing clinician to download or send it." }, statusCode: StatusCodes.Status403Forbidden);
            }

            var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
            var head = await letters.LetterheadAsync(status);
            var date = await SignerTodayAsync(status, grains, time);
            var input = LetterViews.PdfInput(status, head, date);

            var (pdf, refusal) = await export.RenderAsync(userId, LetterRender.Download, input, context.RequestAborted);
            switch (refusal)
            {
                case LetterExportRefusal.Busy:
                    context.Response.Headers.RetryAfter = "5";
                    return Results.Json(new { error = export.Explain(refusal) }, statusCode: StatusCodes.Status429TooManyRequests);
                case LetterExportRefusal.OverBudget:
                    return Results.Json(new { error = export.Explain(refusal) }, statusCode: StatusCodes.Status422UnprocessableEntity);
            }

            await audit.RecordAsync(AuditActions.LetterExported, AuditOutcomes.Success, target: id, details: new
            {
                version = status.CurrentVersion,
                draft = status.IsDraft,
                codeItems = open,
                acknowledged = open.Intersect(acknowledged, StringComparer.Ordinal).ToList(),
                exportedAnyway = anyway && unacknowledged.Count > 0,
            });
            context.Response.Headers.CacheControl = "no-store";
            return Results.File(pdf!, "application/pdf", LetterViews.FileName(status, date));
        }).RequireAuthorization().RequireRateLimiting(RateLimits.LetterExports);

        // The saved version's page as it will print (the same layout as the PDF, rendered by poppler), for the editor.
        endpoints.MapGet("/letters/{id}/preview/{page:int}", async (string id, int page, HttpContext context, LetterAccess letters, LetterExport export, PopplerPdf poppler, TimeProvider time, IGrainFactory grains) =>
        {
            if (await letters.ForUserAsync(context.User, id) is not { Current: not null } status)
            {
                return Results.NotFound();
            }

            var input = LetterViews.PdfInput(status, await letters.LetterheadAsync(status), await SignerTodayAsync(status, grains, time));
            var (pdf, refusal) = await export.RenderAsync(context.User.FindFirstValue(ClaimTypes.NameIdentifier)!, LetterRender.Preview, input, context.RequestAborted);
            if (refusal != LetterExportRefusal.None)
            {
                context.Response.Headers.RetryAfter = "5";
                return Results.StatusCode(refusal == LetterExportRefusal.Busy ? StatusCodes.Status429TooManyRequests : StatusCodes.Status422UnprocessableEntity);
            }

            try
            {
                var png = await poppler.RenderPageAsync(pdf!, Math.Max(1, page), PreviewPixels, context.RequestAborted);
                context.Response.Headers.CacheControl = "no-store";
                return Results.File(png, "image/png");
            }
            catch (JobFailedException)
            {
                return Results.NotFound();
            }
        }).RequireAuthorization().RequireRateLimiting(RateLimits.LetterEdits);

        return endpoints;
    }

    private const int PreviewPixels = 1_100;

    /// <summary>Letters are dated in the signer's time zone (the owner's while the letter awaits a signature).</summary>
    internal static async Task<DateOnly> SignerTodayAsync(LetterStatus status, IGrainFactory grains, TimeProvider time) =>
        TimeZones.Today(time.GetUtcNow(), TimeZones.Find(await grains.GetGrain<IUserGrain>(status.SignedBy ?? status.OwnerId).TimeZone()));

    public static IServiceCollection AddManeiroLetters(this IServiceCollection services)
    {
        services.AddSingleton<LetterAccess>();
        services.AddSingleton<LetterTemplates>();
        services.AddSingleton<Clinics.ClinicMembership>();
        services.AddSingleton<Clinics.SweptNotices>();
        services.AddScoped<Clinics.ClinicClosure>();
        services.AddScoped<Clinics.AccountErasure>();
        services.AddSingleton<LetterExport>();
        services.AddOptions<LetterExportOptions>().BindConfiguration(LetterExportOptions.SectionName);
        return services;
    }
}
