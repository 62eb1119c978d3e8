using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>The template editor from the keyboard (copy a built-in template, move a section, preview, save; axe on each page) and the browser's time zone.</summary>
public sealed class DailyUseBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task A_built_in_template_is_copied_reordered_from_the_keyboard_previewed_and_saved()
    {
        var (session, email) = await app.SignedInUserAsync("template-editor");
        try
        {
            await using var run = await BrowserRun.StartAsync(app);
            var page = run.Page;
            await run.SignInAsync(email);
            await page.GotoAsync($"{run.BaseUrl}/Letters/Templates");
            Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
            await page.Locator("#no-templates").WaitForAsync();

            await page.GetByRole(AriaRole.Link, new() { Name = "Copy and edit" }).First.ClickAsync();
            await page.Locator("#template-editor").WaitForAsync();
            Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));

            // Move the first section down with the keyboard; the moved section keeps the focus's place.
            await page.GetByRole(AriaRole.Button, new() { Name = "Move down section 1" }).FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await page.Locator("#editor-notice").WaitForAsync();
            Assert.Equal("History and findings", await page.Locator("#section-0-heading").InputValueAsync());
            Assert.Equal("Reason for referral", await page.Locator("#section-1-heading").InputValueAsync());

            await page.Locator("#section-0-fixed").FillAsync("Re: {{patient}}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Preview", Exact = true }).ClickAsync();
            await page.Locator("#template-preview").WaitForAsync();
            Assert.Contains("[the patient's name]", await page.Locator("#template-preview").TextContentAsync(), StringComparison.Ordinal);

            await page.GetByRole(AriaRole.Button, new() { Name = "Save template" }).ClickAsync();
            await page.Locator("#templates tbody tr").WaitForAsync();
            Assert.Contains("My referral", await page.Locator("#templates").TextContentAsync(), StringComparison.Ordinal);
        }
        finally
        {
            session.Dispose();
        }
    }

    [Fact]
    public async Task The_browser_s_time_zone_becomes_the_account_s_on_first_sign_in()
    {
        var (session, email) = await app.SignedInUserAsync("browser-zone");
        try
        {
            await using var run = await BrowserRun.StartInTimeZoneAsync(app, "Asia/Tokyo");
            await run.SignInAsync(email);
            var user = app.UserGrain(await app.UserIdAsync(email));
            Assert.Equal("Asia/Tokyo", await Eventually.ReturnsAsync(() => user.TimeZone(), zone => zone is not null, "the browser's zone was saved"));
            await run.Page.ReloadAsync();
            Assert.Equal("false", await run.Page.Locator("body").GetAttributeAsync("data-timezone-unset"));
        }
        finally
        {
            session.Dispose();
        }
    }
}
