using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>Debian's Chromium, headless, driven by Playwright (no browser download).</summary>
public static class BrowserHost
{
    public static readonly string ScreenshotDirectory = Path.Combine(Maneiro.Testing.TestServers.RepositoryRoot, "artifacts", "screenshots");

    /// <summary>
    /// For a page that reloads itself when its job ends (a job's or a letter's): wait for the navigation to it only,
    /// then for what the page shows. Waiting for its load event as well raced that reload (a 30 s timeout in CI).
    /// </summary>
    public static readonly PageWaitForURLOptions NavigationOnly = new() { WaitUntil = WaitUntilState.Commit };

    /// <param name="extraArgs">More Chromium switches (a fake microphone, for the recorder).</param>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(params string[] extraArgs)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", .. extraArgs],
        });
        return (playwright, browser);
    }

    /// <summary>
    /// Runs axe-core on the page and returns the serious and critical violations. The context bypasses CSP so the
    /// test can inject axe; the app's own pages carry no inline script.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = Path.Combine(AppContext.BaseDirectory, "Browser", "axe.min.js") });
        return await page.EvaluateAsync<string[]>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')" +
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))");
    }

    public static async Task ScreenshotsAsync(IBrowser browser, string cookieSource, IBrowserContext signedIn, string path, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var cookies = await signedIn.CookiesAsync();
        foreach (var (width, height, suffix) in new[] { (1280, 900, "desktop"), (390, 844, "mobile") })
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
            await context.AddCookiesAsync(cookies.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
            var page = await context.NewPageAsync();
            await page.GotoAsync(cookieSource + path);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}-{suffix}.png"), FullPage = true });
        }
    }
}
