using System.Reflection;
using Microsoft.AspNetCore.Mvc;

namespace Maneiro.Web.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", async ([FromServices] DependencyHealth health, CancellationToken ct) =>
        {
            var report = await health.CheckAsync(ct);
            return report.Healthy
                ? Results.Json(new { status = "ok", checks = report.Checks })
                : Results.Json(new { status = "unhealthy", failing = report.Failing, checks = report.Checks }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();

        endpoints.MapGet("/version", () => Results.Json(BuildInfo.Current)).AllowAnonymous();
        return endpoints;
    }
}

public sealed record BuildInfo(string Version, string Commit, string BuildTime)
{
    public static BuildInfo Current { get; } = Read(typeof(BuildInfo).Assembly);

    private static BuildInfo Read(Assembly assembly)
    {
        string Meta(string key) => assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value ?? "unknown";
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return new BuildInfo(version.Split('+')[0], Meta("Commit"), Meta("BuildTime"));
    }
}
