using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain;

/// <summary>Allowance per billing period. A null limit means unlimited.</summary>
public sealed class TierLimits
{
    public int? Analyses { get; set; }

    public int? Letters { get; set; }

    public int? OcrPages { get; set; }

    public int? AudioMinutes { get; set; }

    public int? For(UsageKind kind) => kind switch
    {
        UsageKind.Analyses => Analyses,
        UsageKind.Letters => Letters,
        UsageKind.OcrPages => OcrPages,
        UsageKind.AudioMinutes => AudioMinutes,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown usage kind."),
    };
}

/// <summary>Bound from configuration section <c>Usage:Limits</c>; defaults documented in README.</summary>
public sealed class UsageLimitsOptions
{
    public const string SectionName = "Usage:Limits";

    // Letters are two per analysis, OCR pages five per analysis, audio three minutes per analysis.
    public TierLimits Free { get; set; } = new() { Analyses = 10, Letters = 20, OcrPages = 50, AudioMinutes = 30 };

    public TierLimits Basic { get; set; } = new() { Analyses = 100, Letters = 200, OcrPages = 500, AudioMinutes = 300 };

    public TierLimits Professional { get; set; } = new() { Analyses = 500, Letters = 1000, OcrPages = 2500, AudioMinutes = 1500 };

    public TierLimits Enterprise { get; set; } = new();

    /// <summary>How long a past-due subscription keeps its paid limits before Free limits apply.</summary>
    public int PastDueGraceDays { get; set; } = 7;

    /// <summary>A reservation its job has not renewed for this long is given back (an upload that died, a job lost).</summary>
    public TimeSpan ReservationLifetime { get; set; } = TimeSpan.FromHours(24);

    public TierLimits For(SubscriptionTier tier) => tier switch
    {
        SubscriptionTier.Free => Free,
        SubscriptionTier.Basic => Basic,
        SubscriptionTier.Professional => Professional,
        SubscriptionTier.Enterprise => Enterprise,
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown tier."),
    };
}
