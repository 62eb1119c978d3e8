namespace Maneiro.Web.Security;

/// <summary><c>Security:*</c> settings. Defaults follow the issue: 5 failures → 15 minutes, 30 minutes idle logoff.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    public int MaxFailedAccessAttempts { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>HIPAA automatic logoff: the session cookie expires after this much inactivity.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a session re-checks the security stamp (a password change signs other sessions out).</summary>
    public TimeSpan SecurityStampValidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Overrides how long password-reset links work (tests); by default what the reset mail states.</summary>
    public TimeSpan? PasswordResetTokenLifetime { get; set; }

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Refusals of anonymous requests are counted per source over this window and audited as one row when it closes.</summary>
    public TimeSpan RefusalWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Origins a form post may be redirected to (Stripe Checkout and the Customer Portal).</summary>
    public List<string> FormRedirectOrigins { get; set; } = ["https://checkout.stripe.com", "https://billing.stripe.com"];
}

/// <summary>Permits per window; counted in Redis so they hold across web instances.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Prefix of the Redis keys; instances sharing a prefix share their counts.</summary>
    public string KeyPrefix { get; set; } = "rl";

    public int LoginPerIpPerMinute { get; set; } = 30;

    public int LoginPerAccountPerMinute { get; set; } = 10;

    public int RegisterPerIpPerHour { get; set; } = 20;

    public int ForgotPasswordPerIpPerHour { get; set; } = 20;

    public int ForgotPasswordPerAccountPerHour { get; set; } = 5;

    public int UploadsPerUserPerMinute { get; set; } = 20;

    public int ApiPerUserPerMinute { get; set; } = 300;

    /// <summary>Letter PDF exports: layout is CPU work, so a tight limit per user.</summary>
    public int LetterExportsPerUserPerMinute { get; set; } = 10;

    /// <summary>The letter editor's saves, regenerations, restores and deletions.</summary>
    public int LetterEditsPerUserPerMinute { get; set; } = 30;

    /// <summary>Stripe webhook deliveries per source address.</summary>
    public int WebhookPerIpPerMinute { get; set; } = 120;
}
