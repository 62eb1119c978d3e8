namespace Maneiro.Infrastructure.Configuration;

/// <summary>
/// The settings that hold secrets or endpoints. Configuration keys are the environment-variable names
/// (as in the seed's .env); Parameter Store names are their kebab-case forms under <c>PARAMETER_STORE_PATH</c>.
/// </summary>
public static class SecretSettings
{
    public const string DatabaseUrl = "DATABASE_URL";
    public const string RedisUrl = "REDIS_URL";
    public const string SecretKey = "SECRET_KEY";
    public const string StripeSecretKey = "STRIPE_SECRET_KEY";
    public const string StripePublishableKey = "STRIPE_PUBLISHABLE_KEY";
    public const string StripeWebhookSecret = "STRIPE_WEBHOOK_SECRET";
    public const string OpenAiApiKey = "OPENAI_API_KEY";
    public const string S3Bucket = "AWS_S3_BUCKET";
    public const string SentryDsn = "SENTRY_DSN";

    /// <summary>Parameter Store leaf name → configuration key.</summary>
    public static IReadOnlyDictionary<string, string> ParameterNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["database-url"] = DatabaseUrl,
        ["redis-url"] = RedisUrl,
        ["secret-key"] = SecretKey,
        ["stripe-secret-key"] = StripeSecretKey,
        ["stripe-publishable-key"] = StripePublishableKey,
        ["stripe-webhook-secret"] = StripeWebhookSecret,
        ["openai-api-key"] = OpenAiApiKey,
        ["aws-s3-bucket"] = S3Bucket,
        ["sentry-dsn"] = SentryDsn,
    };
}
