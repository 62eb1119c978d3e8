using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>
/// The billing app with the security stamp checked every five minutes, as in production, instead of on every request:
/// turning on 2FA renews the sign-in cookie, and with per-request checks a browser's parallel request (an icon, a
/// script) still carrying the old cookie could sign the fresh one out — a race only that test setting creates.
/// </summary>
public sealed class BrowserBillingApp : ManeiroApp
{
    public BrowserBillingApp()
        : base(b => b.WithFakeStripe().With("Security:SecurityStampValidationInterval", "00:05:00"))
    {
    }
}

/// <summary>Two-factor sign-in and the upgrade button, in a real browser.</summary>
public sealed class AccountBrowserTests(BrowserBillingApp app) : IClassFixture<BrowserBillingApp>
{
    [Fact]
    public async Task Turn_on_two_factor_sign_out_and_sign_in_with_an_authenticator_code_then_upgrade_reaches_checkout()
    {
        await using var run = await BrowserRun.StartAsync(app);
        var (browser, context, page, baseUrl) = (run.Browser, run.Context, run.Page, run.BaseUrl);
        var (session, email) = await app.SignedInUserAsync("twofactor");
        session.Dispose();

        await SignInAsync(page, baseUrl, email);
        await page.GotoAsync(baseUrl + "/Account/Manage/TwoFactor");
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        var key = (await page.Locator("[data-testid=authenticator-key]").TextContentAsync())!;
        await page.GetByLabel("Code from the app").FillAsync(await FreshCodeAsync(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor sign-in" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" }).WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal(10, await page.Locator("[data-testid=recovery-codes] li").CountAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).WaitForAsync();
        await SignInAsync(page, baseUrl, email);
        await page.GetByRole(AriaRole.Heading, new() { Name = "Two-factor sign-in" }).WaitForAsync();
        await page.GetByLabel("Authenticator code").FillAsync(await FreshCodeAsync(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Ana" }).WaitForAsync();

        // The upgrade button sends the browser on to the Checkout page the (fake) Stripe API returned.
        await page.GotoAsync(baseUrl + "/Pricing");
        var checkout = await page.RunAndWaitForRequestAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Professional" }).ClickAsync(),
            request => request.Url.StartsWith("https://checkout.stripe.test/", StringComparison.Ordinal));
        Assert.Equal("https://checkout.stripe.test/c/pay/cs_test_created", checkout.Url);
        Assert.Contains(app.Stripe.Requests, r => r.PathAndQuery.StartsWith("/v1/checkout/sessions", StringComparison.Ordinal) && r.Body.Contains("price_professional", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_admin_pages_pass_the_accessibility_check()
    {
        await using var run = await BrowserRun.StartAsync(app);
        var (browser, context, page, baseUrl) = (run.Browser, run.Context, run.Page, run.BaseUrl);
        var email = AccountsApp.NewEmail("admin");
        Assert.Equal(0, await Maneiro.Web.Extensions.CommandLine.CreateAdminAsync(app.Factory.Services, email, AccountsApp.GoodPassword, "Ada", "Admin"));

        await SignInAsync(page, baseUrl, email);
        var violations = new List<string>();
        foreach (var (path, name) in new[] { ("/Admin/Users", "admin-users"), ("/Admin/Metrics", "admin-metrics") })
        {
            var response = await page.GotoAsync(baseUrl + path);
            Assert.Equal(200, response!.Status);
            violations.AddRange((await BrowserHost.SeriousAccessibilityViolationsAsync(page)).Select(v => $"{name}: {v}"));
            await BrowserHost.ScreenshotsAsync(browser, baseUrl, context, path, name);
        }

        Assert.Empty(violations);
        Assert.Contains("Registrations", await page.ContentAsync(), StringComparison.Ordinal);

        // The Orleans dashboard's own script runs under our CSP (enforced here: no bypass) and draws its menu from the API.
        await using var enforced = await browser.NewContextAsync();
        await enforced.AddCookiesAsync((await context.CookiesAsync()).Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        var dashboard = await enforced.NewPageAsync();
        var errors = new List<string>();
        dashboard.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        Assert.Equal(200, (await dashboard.GotoAsync(baseUrl + "/admin/orleans/"))!.Status);
        await dashboard.Locator("#menu a").First.WaitForAsync(new() { Timeout = 30_000 });
        await BrowserHost.ScreenshotsAsync(browser, baseUrl, context, "/admin/orleans/", "admin-orleans");
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));

        // Everywhere else the strict policy holds.
        var home = await dashboard.GotoAsync(baseUrl + "/");
        Assert.Contains("style-src 'self';", (await home!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
    }

    /// <summary>A code with at least five seconds of its 30-second window left, so it is still current when it arrives.</summary>
    private static async Task<string> FreshCodeAsync(string key)
    {
        var left = 30 - (DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 30);
        if (left < 5)
        {
            await Task.Delay(TimeSpan.FromSeconds(left + 1));
        }

        return Totp.Code(key, DateTimeOffset.UtcNow);
    }

    private static async Task SignInAsync(IPage page, string baseUrl, string email)
    {
        await page.GotoAsync(baseUrl + "/Account/Login");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(AccountsApp.GoodPassword);
        // Wait for the sign-in to land (home or the two-factor step) before the test goes anywhere else.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.Equals("/Account/Login", StringComparison.Ordinal), new() { Timeout = 60_000 });
    }
}
