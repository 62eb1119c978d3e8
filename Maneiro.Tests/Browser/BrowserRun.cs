using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>One test's browser: Chromium, a context that may inject axe (CSP bypassed), a page, and the app's address.</summary>
public sealed class BrowserRun : IAsyncDisposable
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public IBrowserContext Context { get; private set; } = null!;

    public IPage Page { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    /// <param name="permissions">Browser permissions granted to the app ("microphone").</param>
    /// <param name="chromiumArgs">More Chromium switches.</param>
    public static async Task<BrowserRun> StartAsync(ManeiroApp app, IReadOnlyList<string>? permissions = null, params string[] chromiumArgs)
    {
        var run = new BrowserRun();
        (run._playwright, run.Browser) = await BrowserHost.LaunchAsync(chromiumArgs);
        run.Context = await run.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true, Permissions = permissions });
        run.Page = await run.Context.NewPageAsync();
        run.BaseUrl = app.Factory.BaseAddress.ToString().TrimEnd('/');
        return run;
    }

    /// <summary>A browser whose clock says it is in <paramref name="timeZoneId"/> (what <c>Intl</c> reports to pages).</summary>
    public static async Task<BrowserRun> StartInTimeZoneAsync(ManeiroApp app, string timeZoneId)
    {
        var run = new BrowserRun();
        (run._playwright, run.Browser) = await BrowserHost.LaunchAsync();
        run.Context = await run.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true, TimezoneId = timeZoneId });
        run.Page = await run.Context.NewPageAsync();
        run.BaseUrl = app.Factory.BaseAddress.ToString().TrimEnd('/');
        return run;
    }

    /// <summary>A second person at another computer: their own context (own cookies) in the same browser.</summary>
    public async Task<BrowserRun> SecondPersonAsync()
    {
        var other = new BrowserRun { Browser = Browser, BaseUrl = BaseUrl };
        other.Context = await Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true });
        other.Page = await other.Context.NewPageAsync();
        return other;
    }

    /// <summary>Signs in on the login page as a person would and waits for the home page.</summary>
    public async Task SignInAsync(string email)
    {
        await Page.GotoAsync(BaseUrl + "/Account/Login");
        await Page.GetByLabel("E-mail").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(AccountsApp.GoodPassword);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Generous: at the start of a run many apps and browsers start at once on two cores.
        await Page.WaitForURLAsync(BaseUrl + "/", new() { Timeout = 60_000 });
    }

    /// <summary>Signs out with the header's button, as a person handing the computer over would.</summary>
    public async Task SignOutAsync()
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        // Signed out when the page that follows offers to sign in (a URL test would also match the page before).
        await Page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).WaitForAsync();
        await Context.ClearCookiesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();

        // A second person's run shares the first one's browser, which the first one closes.
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
