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
        endpoints.MapPost(Path, HandleAsync).AllowAnonymous().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        IOptions<BillingOptions> options,
        StripeEventLedger ledger,
        StripeEventProcessor processor,
        AuditLog audit,
        Security.PublicOrigin origin,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(StripeWebhookEndpoint));
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        using var reader = new StreamReader(context.Request.Body);
        var json = await reader.ReadToEndAsync(context.RequestAborted);
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
            await audit.AppendAsync(AuditActions.WebhookRejected, AuditOutcomes.Denied, null, context.Connection.RemoteIpAddress?.ToString(), Path, new { reason = ex.Message }, CancellationToken.None);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a Stripe webhook: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {Type} {EventId} failed: {ErrorType}; Stripe will retry")]
    private static partial void LogFailed(ILogger logger, string type, string eventId, string errorType);
}
