using Maneiro.Grains.Interfaces;
using Npgsql;
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
            const string message = "Maneiro is briefly unavailable while part of the service restarts. Nothing was lost; please try again in a few seconds.";
            await StatusPages.WriteAsync(context, new StatusPage(StatusCodes.Status503ServiceUnavailable, 5, "unavailable", "Briefly unavailable", "Briefly unavailable", message, context.Request.Path.ToUriComponent(), "Try again"), context.RequestAborted);
        }
    }

    public static bool IsTransient(Exception ex) => ex switch
    {
        SiloUnavailableException or OrleansMessageRejectionException or StorageUnavailableException => true,

        // The only gateway refuses connections (its silo is restarting): as unavailable as a silo can be.
        Orleans.Runtime.Messaging.ConnectionFailedException => true,
        TimeoutException or NpgsqlException or RedisConnectionException or RedisTimeoutException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {Path} answered 503: {ErrorType}")]
    private partial void LogUnavailable(string path, string errorType);
}
