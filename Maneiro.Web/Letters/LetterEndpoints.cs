using System.Security.Claims;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
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

        endpoints.MapGet("/letters/{id}/pdf", async (string id, HttpContext context, LetterAccess letters, AuditTrail audit, TimeProvider time) =>
        {
            if (await letters.ForUserAsync(context.User, id) is not { } status)
            {
                return Results.NotFound(new { error = "No such letter." });
            }

            if (status.Current is null)
            {
                return Results.Conflict(new { error = "This letter has no text yet; wait until it is drafted." });
            }

            var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
            var head = await letters.LetterheadAsync(userId);
            var date = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var input = LetterViews.PdfInput(status, head, date);

            // Layout is CPU work: keep it off the request's synchronization path.
            var pdf = await Task.Run(() => LetterPdf.Render(input), context.RequestAborted);
            await audit.RecordAsync(AuditActions.LetterExported, AuditOutcomes.Success, target: id, details: new { version = status.CurrentVersion });
            context.Response.Headers.CacheControl = "no-store";
            return Results.File(pdf, "application/pdf", LetterViews.FileName(status, date));
        }).RequireAuthorization().RequireRateLimiting(RateLimits.Api);

        return endpoints;
    }

    public static IServiceCollection AddManeiroLetters(this IServiceCollection services)
    {
        services.AddSingleton<LetterAccess>();
        return services;
    }
}
