using System.Globalization;
using Maneiro.Grains.Interfaces;
using Npgsql;
using Orleans.Runtime;
using StackExchange.Redis;

namespace Maneiro.Web.Health;

/// <summary>
/// While a silo, Redis or PostgreSQL is briefly away, requests that need it answer 503 with Retry-After (a readable
/// page for browsers, JSON for scripts) instead of a generic error; nothing is lost, and clients simply retry.
/// </summary>
public sealed partial class TransientFailureMiddleware(RequestDelegate next, ILogger<TransientFailureMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (IsTransient(ex) && !context.Response.HasStarted)
        {
            LogUnavailable(context.Request.Path, ex.GetType().Name);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            const string message = "Maneiro is briefly unavailable while part of the service restarts. Nothing was lost; please try again in a few seconds.";
            if (context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Briefly unavailable · Maneiro</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main id=\"main\" class=\"container\"><h1>Briefly unavailable</h1><p role=\"alert\">{message}</p><p><a href=\"{context.Request.Path}\">Try again</a></p></main></body></html>"));
            }
            else
            {
                await context.Response.WriteAsJsonAsync(new { error = "unavailable", message, retryAfterSeconds = 5 });
            }
        }
    }

    public static bool IsTransient(Exception ex) => ex switch
    {
        SiloUnavailableException or OrleansMessageRejectionException or StorageUnavailableException => true,
        TimeoutException or NpgsqlException or RedisConnectionException or RedisTimeoutException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {Path} answered 503: {ErrorType}")]
    private partial void LogUnavailable(string path, string errorType);
}
