using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>The data controls in the browser: the admin is asked to choose a retention period, chooses one, and starts an export whose password is shown once. The pages stay accessible.</summary>
public sealed class DataControlsBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task An_admin_chooses_how_long_documents_are_kept_and_exports_the_clinic_s_data()
    {
        var (_, admin) = await app.SignedInUserAsync("data-admin");
        await using var run = await BrowserRun.StartAsync(app);
        var page = run.Page;
        await run.SignInAsync(admin);

        // Asked until chosen.
        await page.GetByRole(AriaRole.Link, new() { Name = "Data and retention" }).ClickAsync();
        Assert.Equal(1, await page.Locator("#retention-unchosen").CountAsync());
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await page.GetByLabel("Delete them after").CheckAsync();
        await page.GetByLabel("Days (1–365)").FillAsync("90");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.GetByText("older than 90 days will be deleted").WaitForAsync();
        Assert.Equal(0, await page.Locator("#retention-banner, #retention-unchosen").CountAsync());

        // The export's password is shown once.
        await page.GetByRole(AriaRole.Link, new() { Name = "Export all of the clinic's data" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start an export" }).ClickAsync();
        var password = await page.Locator("#password-value").TextContentAsync();
        Assert.Equal(24, password!.Length);
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
        await page.GotoAsync(run.BaseUrl + "/Clinic/Export");
        Assert.Equal(0, await page.Locator("#password-value").CountAsync());
        await Eventually.TrueAsync(
            async () =>
            {
                await page.ReloadAsync();
                return await page.Locator("#exports tr[data-status='Complete']").CountAsync() == 1;
            },
            "the export finished");
        Assert.Empty(await BrowserHost.SeriousAccessibilityViolationsAsync(page));
    }
}
