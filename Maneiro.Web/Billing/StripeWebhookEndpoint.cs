using Maneiro.Infrastructure.Audit;
using Microsoft.Extensions.Options;
using Stripe;

namespace Maneiro.Web.Billing;

/// <summary><c>POST /webhook/stripe-webhook</c>: verify the signature, record the event id once, apply it.</summary>
public static partial class StripeWebhookEndpoint
{
    public const string Path = "/webhook/stripe-webhook";
    private const int MaxBodyBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapStripeWebhook(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(Security.RateLimits.Webhook);
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        IOptions<BillingOptions> options,
        StripeEventLedger ledger,
        StripeEventProcessor processor,
        Security.RefusalLedger refusals,
        Security.PublicOrigin origin,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(StripeWebhookEndpoint));
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        // Capped by the bytes actually read: a chunked body declares no length.
        if (await ReadCappedAsync(context.Request.Body, context.RequestAborted) is not { } json)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        Event stripeEvent;
        try
        {
            var signature = context.Request.Headers["Stripe-Signature"].ToString();
            if (string.IsNullOrWhiteSpace(signature))
            {
                throw new StripeException("The Stripe-Signature header is missing.");
            }

            stripeEvent = EventUtility.ConstructEvent(
                json,
                signature,
                options.Value.WebhookSecret ?? throw new StripeException("No webhook secret is configured."),
                options.Value.WebhookToleranceSeconds);
        }
        catch (Exception ex) when (ex is StripeException or ArgumentException or FormatException or System.Text.Json.JsonException or Newtonsoft.Json.JsonException)
        {
            // A missing or malformed signature header, a wrong secret, a stale timestamp, or a body that is not an event.
            await refusals.CountAsync(AuditActions.WebhookRejected, context.Connection.RemoteIpAddress?.ToString(), Path);
            LogRejected(logger, ex.Message);
            return Results.BadRequest(new { error = "The webhook could not be verified." });
        }

        if (!await ledger.TryBeginAsync(stripeEvent.Id, stripeEvent.Type, new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc)), context.RequestAborted))
        {
            return Results.Ok(new { received = true, duplicate = true });
        }

        try
        {
            await processor.HandleAsync(stripeEvent, origin.Origin.ToString().TrimEnd('/'), CancellationToken.None);
            await ledger.MarkProcessedAsync(stripeEvent.Id);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Let Stripe retry: the event is not marked processed.
            await ledger.ForgetAsync(stripeEvent.Id);
            LogFailed(logger, stripeEvent.Type, stripeEvent.Id, ex.GetType().Name);
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }

        return Results.Ok(new { received = true });
    }

    private static async Task<string?> ReadCappedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Stripe webhook: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {Type} {EventId} failed: {ErrorType}; Stripe will retry")]
    private static partial void LogFailed(ILogger logger, string type, string eventId, string errorType);
}
