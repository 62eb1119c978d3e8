using System.Diagnostics;
using System.Diagnostics.Metrics;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Observability;

/// <summary>
/// Our own meters (the seed's key metrics) and the activity source for job stages. One per process, from DI; the
/// names are what Prometheus and OTLP collectors see (dots become underscores, counters get "_total").
/// Tags never carry ids, names or text: only small fixed sets (stage, outcome, tier, kind).
/// </summary>
public sealed class ManeiroTelemetry : IDisposable
{
    public const string Name = "Maneiro";

    private readonly Meter _meter;
    private readonly Counter<long> _registrations;
    private readonly Counter<long> _checkouts;
    private readonly Counter<long> _activations;
    private readonly Counter<long> _failedPayments;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _serverErrors;
    private readonly Histogram<double> _stageDuration;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _usageRefusals;
    private readonly Counter<long> _ocrPages;
    private readonly Counter<long> _llmTokens;

    public ManeiroTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        Source = new ActivitySource(Name);
        _registrations = _meter.CreateCounter<long>("maneiro.registrations", description: "Accounts created.");
        _checkouts = _meter.CreateCounter<long>("maneiro.checkouts.started", description: "Stripe Checkout sessions started.");
        _activations = _meter.CreateCounter<long>("maneiro.subscriptions.activated", description: "Subscriptions that became active on a paid plan.");
        _failedPayments = _meter.CreateCounter<long>("maneiro.payments.failed", description: "Invoice payments that failed.");
        _requests = _meter.CreateCounter<long>("maneiro.http.requests", description: "HTTP requests answered.");
        _serverErrors = _meter.CreateCounter<long>("maneiro.http.server_errors", description: "HTTP requests answered with a 5xx status.");
        _stageDuration = _meter.CreateHistogram<double>("maneiro.job.stage.duration", unit: "s", description: "Time spent in each job stage.");
        _jobDuration = _meter.CreateHistogram<double>("maneiro.job.duration", unit: "s", description: "Time from a job's start to its outcome.");
        _usageRefusals = _meter.CreateCounter<long>("maneiro.usage.refusals", description: "Requests refused because the plan's allowance was used up.");
        _ocrPages = _meter.CreateCounter<long>("maneiro.ocr.pages", description: "Pages read by OCR.");
        _llmTokens = _meter.CreateCounter<long>("maneiro.llm.tokens", description: "Tokens used by LLM calls.");
    }

    /// <summary>Spans for job stages; HttpClient spans for the calls a stage makes become its children.</summary>
    public ActivitySource Source { get; }

    public void Registered() => _registrations.Add(1);

    public void CheckoutStarted(SubscriptionTier tier) => _checkouts.Add(1, new KeyValuePair<string, object?>("tier", tier.ToString()));

    public void SubscriptionActivated(SubscriptionTier tier) => _activations.Add(1, new KeyValuePair<string, object?>("tier", tier.ToString()));

    public void PaymentFailed() => _failedPayments.Add(1);

    public void HttpResponse(int status)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("status_class", $"{status / 100}xx"));
        if (status >= 500)
        {
            _serverErrors.Add(1);
        }
    }

    public void StageFinished(string job, JobStage stage, TimeSpan elapsed) =>
        _stageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("stage", stage.ToString()));

    public void JobFinished(string job, JobStage outcome, TimeSpan elapsed) =>
        _jobDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("outcome", outcome.ToString()));

    public void UsageRefused(UsageKind kind) => _usageRefusals.Add(1, new KeyValuePair<string, object?>("usage_kind", kind.ToString()));

    public void OcrPages(int pages) => _ocrPages.Add(pages);

    public void LlmTokens(string purpose, int tokens) => _llmTokens.Add(tokens, new KeyValuePair<string, object?>("purpose", purpose));

    public void Dispose()
    {
        Source.Dispose();
        _meter.Dispose();
    }
}
