using Maneiro.Testing;
using Microsoft.Playwright;

namespace Maneiro.Tests.Browser;

/// <summary>A person in a real browser: sign up, confirm by mail, sign in, upload, watch progress live, read the results, write a letter and download it.</summary>
public sealed class EndToEndBrowserTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task Register_confirm_sign_in_upload_and_watch_the_analysis_arrive_live()
    {
        await using var run = await BrowserRun.StartAsync(app);
        var (browser, context, page, baseUrl) = (run.Browser, run.Context, run.Page, run.BaseUrl);
        var email = AccountsApp.NewEmail("browser");
        var violations = new List<string>();

        // Sign up.
        await page.GotoAsync(baseUrl + "/Account/Register");
        violations.AddRange(await Check(page, "register"));
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("First name").FillAsync("Ana");
        await page.GetByLabel("Last name").FillAsync("Souza");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(AccountsApp.GoodPassword);
        await page.GetByLabel("Repeat password").FillAsync(AccountsApp.GoodPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Check your e-mail" }).WaitForAsync();

        // Confirm through the mail the app wrote to its pickup folder.
        var mail = await app.Mail.WaitForAsync(email, "Confirm");
        await page.GotoAsync(baseUrl + MailPickup.LinkPath(mail));
        await page.GetByRole(AriaRole.Heading, new() { Name = "E-mail confirmed" }).WaitForAsync();

        // Sign in with the keyboard only.
        await page.GotoAsync(baseUrl + "/Account/Login");
        violations.AddRange(await Check(page, "login"));
        await page.GetByLabel("E-mail").FocusAsync();
        await page.Keyboard.TypeAsync(email);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(AccountsApp.GoodPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Ana" }).WaitForAsync();
        violations.AddRange(await Check(page, "home"));

        // Upload a text PDF through the page; the model is held, so the stages can be watched changing.
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        try
        {
            // Every document reports changes of its stage line once loaded: a change is a live update (a reload shows
            // the new text in a new document, without a change).
            var seenLive = new System.Collections.Concurrent.ConcurrentQueue<string>();
            await page.ExposeFunctionAsync("reportStage", (string stage) => seenLive.Enqueue(stage));
            await page.AddInitScriptAsync("document.addEventListener('DOMContentLoaded', () => { const line = document.getElementById('job-stage'); if (line) { new MutationObserver(() => window.reportStage(line.textContent.trim())).observe(line, { childList: true, characterData: true, subtree: true }); } });");
            var pdf = Path.Combine(Path.GetTempPath(), $"note-{Guid.NewGuid():N}.pdf");
            await File.WriteAllBytesAsync(pdf, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote));
            // Keyboard only: Tab reaches every control and Enter sends. The file itself is picked in the system's
            // file dialog, which headless Chromium does not open from a key press, so the test sets it on the focused input.
            await page.GetByLabel("Specialty").FocusAsync();
            await page.Keyboard.TypeAsync("Ophthalmology");
            await TabToAsync(page, "file");
            await page.Locator("#file:focus").SetInputFilesAsync(pdf);
            await TabToAsync(page, "upload-button");
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/Jobs/[0-9a-f]{32}$"));
            File.Delete(pdf);

            await page.Locator("#job-progress[data-connected=live]").WaitForAsync();
            await app.OpenAi.WaitUntilHeldAsync();
            var held = (await page.Locator("#job-stage").TextContentAsync())?.Trim();
            app.OpenAi.Release();
            await Eventually.TrueAsync(() => seenLive.Any(stage => stage != held), "a stage change arrived live on the open page");
        }
        finally
        {
            app.OpenAi.Release();
        }

        // When it finishes the page shows the results.
        await page.GetByRole(AriaRole.Heading, new() { Name = "Diagnoses" }).WaitForAsync(new() { Timeout = 60_000 });
        Assert.Contains("H40.1112 · valid", await page.ContentAsync(), StringComparison.Ordinal);
        violations.AddRange(await Check(page, "job"));
        var jobPath = new Uri(page.Url).AbsolutePath;

        // Set a letterhead, draft an urgent referral from the results, watch it arrive, download its PDF.
        await page.GotoAsync(baseUrl + "/Account/Manage/Letterhead");
        violations.AddRange(await Check(page, "letterhead"));
        await page.GetByLabel("Clinic name").FillAsync("Clínica São Lucas");
        await page.GetByLabel("Provider name").FillAsync("Dra. Ana Souza");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save letterhead" }).ClickAsync();
        await page.GetByText("Your letterhead was saved.").WaitForAsync();

        await page.GotoAsync(baseUrl + jobPath);
        app.OpenAi.AnswerLetters(LetterSamples.Draft(subject: "Raised pressure, right eye"));
        await page.GetByLabel("Kind of letter").SelectOptionAsync(new SelectOptionValue { Label = "Urgent referral" });
        await page.GetByLabel("Language").SelectOptionAsync(new SelectOptionValue { Label = "English" });
        await page.GetByLabel("Recipient name").FillAsync("Dr. Ana Silva");
        await page.GetByRole(AriaRole.Button, new() { Name = "Draft the letter" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/Letters/[0-9a-f]{32}$"), BrowserHost.NavigationOnly);
        var download = page.GetByRole(AriaRole.Link, new() { Name = "Download PDF" });
        await download.WaitForAsync(new() { Timeout = 60_000 });

        // The version can show a moment before the page learns the letter finished and reloads itself: wait for that.
        await page.Locator("#job-progress[data-finished=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        Assert.Equal("URGENT: Raised pressure, right eye", await page.GetByLabel("Subject").InputValueAsync());
        violations.AddRange(await Check(page, "letter"));
        var letterPath = new Uri(page.Url).AbsolutePath;
        var file = await page.RunAndWaitForDownloadAsync(() => download.ClickAsync());
        var saved = Path.Combine(Path.GetTempPath(), $"letter-{Guid.NewGuid():N}.pdf");
        await file.SaveAsAsync(saved);
        using (var pdfDocument = UglyToad.PdfPig.PdfDocument.Open(saved))
        {
            var text = string.Join(' ', pdfDocument.GetPages().Select(p => p.Text));
            Assert.Contains("URGENT", text, StringComparison.Ordinal);
            Assert.Contains("Clínica São Lucas", string.Join(' ', pdfDocument.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)), StringComparison.Ordinal);
        }

        File.Delete(saved);

        await page.GotoAsync(baseUrl + "/Account/Manage");
        violations.AddRange(await Check(page, "account"));
        await page.GotoAsync(baseUrl + "/Pricing");
        violations.AddRange(await Check(page, "pricing"));

        Assert.Empty(violations);

        // The two-factor page comes last: opening it makes a new authenticator key, which renews the sign-in cookie.
        foreach (var (path, name) in new[] { ("/", "home"), (jobPath, "job"), ("/Account/Manage", "account"), ("/Pricing", "pricing"), (letterPath, "letter"), ("/Account/Manage/Letterhead", "letterhead"), ("/Account/Manage/TwoFactor", "two-factor") })
        {
            await BrowserHost.ScreenshotsAsync(browser, baseUrl, context, path, name);
        }

        // A second user cannot open the first user's job.
        await using var stranger = await browser.NewContextAsync();
        var strangerPage = await stranger.NewPageAsync();
        var (strangerSession, _) = await app.SignedInUserAsync("stranger");
        await stranger.AddCookiesAsync(strangerSession.Cookies.GetAllCookies().Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = "127.0.0.1", Path = "/" }));
        var response = await strangerPage.GotoAsync(baseUrl + jobPath);
        Assert.Equal(404, response!.Status);
        Assert.Contains("Page not found", await strangerPage.ContentAsync(), StringComparison.Ordinal);
        strangerSession.Dispose();
    }

    private static async Task TabToAsync(IPage page, string id)
    {
        for (var i = 0; i < 40; i++)
        {
            if (await page.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.id : ''") == id)
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"#{id} cannot be reached with the Tab key.");
    }

    private static async Task<IEnumerable<string>> Check(IPage page, string name) =>
        (await BrowserHost.SeriousAccessibilityViolationsAsync(page)).Select(v => $"{name}: {v}");
}
