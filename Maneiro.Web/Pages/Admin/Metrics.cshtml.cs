using Maneiro.Web.Observability;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Maneiro.Web.Pages.Admin;

/// <summary>The seed's key metrics for the last 24 hours and 30 days (admins only, by the folder convention).</summary>
public sealed class MetricsModel(KeyMetrics metrics) : PageModel
{
    public IReadOnlyList<KeyMetricsWindow> Windows { get; private set; } = [];

    /// <summary>Tokens per completed analysis over the last 30 days; the first row is every specialty together.</summary>
    public IReadOnlyList<TokenUse> Tokens { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Windows =
        [
            await metrics.ForAsync("Last 24 hours", 24, HttpContext.RequestAborted),
            await metrics.ForAsync("Last 30 days", 24 * 30, HttpContext.RequestAborted),
        ];
        Tokens = await metrics.TokensAsync(24 * 30, HttpContext.RequestAborted);
    }

    public static string Percent(double? value) => value is { } v ? v.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "—";

    public static string Seconds(double? value) => value is { } v ? v.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s" : "—";
}
