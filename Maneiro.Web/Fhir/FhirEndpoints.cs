using System.Text;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Audit;
using Maneiro.Web.Audit;
using Maneiro.Web.Clinics;
using Maneiro.Web.Jobs;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.DataProtection;

namespace Maneiro.Web.Fhir;

/// <summary>A clinic's FHIR bearer token, encrypted with the shared data-protection keys before it reaches a grain.</summary>
public sealed class FhirTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Maneiro.Fhir.BearerToken.v1");

    public string Protect(string token) => _protector.Protect(token);

    public string Unprotect(string protectedToken) => _protector.Unprotect(protectedToken);
}

/// <summary>The FHIR document download, and the FHIR services' wiring.</summary>
public static partial class FhirEndpoints
{
    public static IServiceCollection AddManeiroFhir(this IServiceCollection services)
    {
        services.AddSingleton<FhirBundleValidator>();
        services.AddSingleton<FhirHostResolver>();
        services.AddSingleton<FhirSender>();
        services.AddSingleton<FhirTokens>();
        services.AddSingleton<FhirExport>();
        services.AddOptions<FhirOptions>().BindConfiguration(FhirOptions.SectionName)
            .Validate(o => o.AllowedPrivateAddresses.TrueForAll(a => System.Net.IPAddress.TryParse(a, out _)), "Fhir:AllowedPrivateAddresses must list IP addresses (such as 10.0.4.12).")
            .Validate(o => o.SendTimeout > TimeSpan.Zero, "Fhir:SendTimeout must be positive.")
            .ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapFhirEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/jobs/{id}/fhir", async (string id, string? letter, HttpContext context, AnalysisAccess jobs, ClinicMembership memberships, FhirExport export, AuditTrail audit, ILogger<FhirExport> log) =>
        {
            if (await jobs.ForUserAsync(context.User, id) is not { } job || await memberships.ForAsync(context) is not { } viewer)
            {
                return Results.NotFound(new { error = "No such analysis." });
            }

            var file = await DocumentFileAsync(job, await jobs.OutputAsync(job), viewer, letter, export, audit, log, context.RequestAborted);
            if (file.Json is null)
            {
                return Results.Json(new { error = file.Refusal }, statusCode: file.Status);
            }

            context.Response.Headers.CacheControl = "no-store";
            return Results.File(file.Json, "application/fhir+json", file.FileName);
        }).RequireAuthorization().RequireRateLimiting(RateLimits.LetterExports);
        return endpoints;
    }

    /// <summary>The validated document Bundle as a JSON file, audited; or why there is none (and the status to answer).</summary>
    public static async Task<(byte[]? Json, string FileName, string? Refusal, int Status)> DocumentFileAsync(AnalysisProgress job, AnalysisOutput output, Membership viewer, string? letterId, FhirExport export, AuditTrail audit, ILogger log, CancellationToken cancellationToken)
    {
        var fileName = $"analysis-{job.JobId[..Math.Min(8, job.JobId.Length)]}.fhir.json";
        var attempt = await export.InputAsync(job, output, viewer, letterId, cancellationToken);
        if (attempt.Input is not { } input)
        {
            return (null, fileName, attempt.Refusal, attempt.Status);
        }

        try
        {
            var json = Encoding.UTF8.GetBytes(FhirExport.ToJson(export.Document(input)));
            await audit.RecordAsync(AuditActions.FhirExported, AuditOutcomes.Success, target: job.JobId, details: new { letter = input.Letter?.LetterId });
            return (json, fileName, null, StatusCodes.Status200OK);
        }
        catch (InvalidFhirBundleException ex)
        {
            await InvalidAsync(ex, job.JobId, AuditActions.FhirExported, audit, log);
            return (null, fileName, InvalidMessage, StatusCodes.Status500InternalServerError);
        }
    }

    /// <summary>A Bundle that failed validation: logged (element paths only) and audited as a failure.</summary>
    public static async Task InvalidAsync(InvalidFhirBundleException ex, string analysisId, string action, AuditTrail audit, ILogger log)
    {
        LogInvalid(log, analysisId, ex.Errors.Count, string.Join("; ", ex.Errors));
        await audit.RecordAsync(action, AuditOutcomes.Failure, target: analysisId, details: new { invalid = ex.Errors.Count });
    }

    /// <summary>What a user is told when a Bundle fails validation (a bug of ours: nothing leaves).</summary>
    public const string InvalidMessage = "Maneiro built a record that failed FHIR validation, so nothing was exported or sent. This is our error and it has been logged; please try again later.";

    // The validator's messages name elements and constraints, never values: safe to log.
    [LoggerMessage(Level = LogLevel.Error, Message = "The FHIR Bundle for analysis {AnalysisId} failed validation with {Count} errors: {Errors}")]
    internal static partial void LogInvalid(ILogger logger, string analysisId, int count, string errors);
}
