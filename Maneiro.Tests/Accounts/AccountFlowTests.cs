using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Accounts;

public sealed class AccountFlowTests(AccountsApp app) : IClassFixture<AccountsApp>
{
    [Fact]
    public async Task Register_confirm_through_the_mail_then_sign_in_reaches_the_home_page()
    {
        var email = AccountsApp.NewEmail();
        using var session = app.NewSession();

        var registered = await AccountsApp.RegisterAsync(session, email);
        var (_, confirmationPage, _) = await session.FollowAsync(registered);
        Assert.Contains("Check your e-mail", confirmationPage, StringComparison.Ordinal);

        // Signing in before confirming is refused with a clear message.
        var early = await AccountsApp.LoginAsync(session, email);
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        Assert.Contains("confirm your e-mail address first", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await app.ConfirmAsync(session, email);
        var login = await AccountsApp.LoginAsync(session, email);
        var (status, home, _) = await session.FollowAsync(login);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Welcome, Ana", home, StringComparison.Ordinal);

        var user = await FindUserAsync(email);
        var actions = await app.Database.ScalarAsync<string>($"SELECT string_agg(action || ':' || outcome, ',' ORDER BY id) FROM audit_log WHERE user_id = '{user.Id}'");
        Assert.Equal("account.register:success,account.login_failed:denied,account.email_confirmed:success,account.login:success", actions);
    }

    [Theory]
    [InlineData("short pass", "at least 12 characters")]
    [InlineData("123qweasdzxc", "commonly used passwords")]
    [InlineData("{local}-is-my-password", "must not contain your e-mail name")]
    public async Task Weak_passwords_are_refused_with_a_message_next_to_the_field(string password, string message)
    {
        var email = AccountsApp.NewEmail("drsilva");
        using var session = app.NewSession();
        var response = await AccountsApp.RegisterAsync(session, email, password.Replace("{local}", email.Split('@')[0], StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Matches($"id=\"password-error\"[^>]*>[^<]*{System.Text.RegularExpressions.Regex.Escape(message)}", html);
        Assert.Null(await app.Factory.Services.CreateScope().ServiceProvider.GetRequiredService<UserManager<ManeiroUser>>().FindByEmailAsync(email));
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_password()
    {
        var (session, email) = await app.SignedInUserAsync();
        session.Dispose();
        using var attacker = app.NewSession();
        for (var i = 0; i < 4; i++)
        {
            var wrong = await AccountsApp.LoginAsync(attacker, email, "not the password at all");
            Assert.Contains("do not match an account", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var fifth = await AccountsApp.LoginAsync(attacker, email, "not the password at all");
        Assert.Equal("/Account/Lockout", fifth.Headers.Location!.OriginalString);
        var right = await AccountsApp.LoginAsync(attacker, email);
        var (_, lockedPage, _) = await attacker.FollowAsync(right);
        Assert.Contains("locked for 15 minutes", lockedPage, StringComparison.Ordinal);

        var user = await FindUserAsync(email);
        Assert.Equal(2, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE user_id = '{user.Id}' AND action = 'account.locked_out'"));
    }

    [Fact]
    public async Task Forgot_password_mail_resets_it_and_the_old_password_stops_working()
    {
        var (session, email) = await app.SignedInUserAsync();
        session.Dispose();
        using var browser = app.NewSession();
        var asked = await browser.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email });
        Assert.Contains("If an account exists", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var link = MailPickup.LinkPath(await app.Mail.WaitForAsync(email, "Reset"));
        const string newPassword = "a brand new passphrase for 2026";
        var reset = await browser.SubmitAsync(link, new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Code"] = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + link).Query)["code"]!,
            ["Password"] = newPassword,
            ["ConfirmPassword"] = newPassword,
        });
        Assert.Equal("/Account/Login", reset.Headers.Location!.OriginalString);

        Assert.Contains("do not match", await (await AccountsApp.LoginAsync(browser, email)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountsApp.LoginAsync(browser, email, newPassword)).StatusCode);
    }

    [Fact]
    public async Task Forgot_password_for_an_unknown_address_looks_the_same_and_sends_nothing()
    {
        using var browser = app.NewSession();
        var email = AccountsApp.NewEmail("nobody");
        var asked = await browser.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email });
        Assert.Contains("If an account exists", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<TimeoutException>(() => app.Mail.WaitForAsync(email, "Reset", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Changing_the_password_signs_out_the_other_sessions_but_not_this_one()
    {
        var (first, email) = await app.SignedInUserAsync();
        using var second = app.NewSession();
        Assert.Equal(HttpStatusCode.Redirect, (await AccountsApp.LoginAsync(second, email)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/Account/Manage")).Status);

        const string newPassword = "another long passphrase here";
        var changed = await first.SubmitAsync("/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["CurrentPassword"] = AccountsApp.GoodPassword,
            ["NewPassword"] = newPassword,
            ["ConfirmPassword"] = newPassword,
        });
        Assert.Equal("/Account/Manage", changed.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/Account/Manage")).Status);
        var (status, _, location) = await second.GetAsync("/Account/Manage");
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.StartsWith("/Account/Login", location!.PathAndQuery, StringComparison.Ordinal);
        first.Dispose();
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_every_session_this_one_included()
    {
        var (first, email) = await app.SignedInUserAsync();
        using var second = app.NewSession();
        await AccountsApp.LoginAsync(second, email);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/Account/Manage")).Status);

        var (_, manage, _) = await first.GetAsync("/Account/Manage");
        Assert.Contains("Sign out everywhere", manage, StringComparison.Ordinal);
        var done = await first.SubmitAsync("/Account/Manage", new Dictionary<string, string>(), "SignOutEverywhere");
        Assert.StartsWith("/Account/Login", done.Headers.Location!.OriginalString, StringComparison.Ordinal);

        foreach (var session in new[] { first, second })
        {
            var (status, _, location) = await session.GetAsync("/Account/Manage");
            Assert.Equal(HttpStatusCode.Redirect, status);
            Assert.StartsWith("/Account/Login", location!.PathAndQuery, StringComparison.Ordinal);
        }

        var userId = (await FindUserAsync(email)).Id;
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE user_id = '{userId}' AND action = 'account.signed_out_everywhere'"));
        first.Dispose();
    }

    [Fact]
    public async Task Turning_two_factor_off_asks_for_the_password_or_a_code()
    {
        var (session, email) = await app.SignedInUserAsync();
        var (_, setup, _) = await session.GetAsync("/Account/Manage/TwoFactor");
        var key = System.Text.RegularExpressions.Regex.Match(setup, "data-testid=\"authenticator-key\">([a-z2-7 ]+)<").Groups[1].Value;
        await session.SubmitAsync("/Account/Manage/TwoFactor", new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow) }, "Enable");

        foreach (var proof in new[] { new Dictionary<string, string> { ["confirm"] = "true" }, new Dictionary<string, string> { ["confirm"] = "true", ["CurrentPassword"] = "not the password at all" } })
        {
            var refused = await session.SubmitAsync("/Account/Manage/TwoFactor", proof, "Disable");
            var html = await refused.Content.ReadAsStringAsync();
            Assert.Contains("Enter your current password, or a code from your authenticator app", html, StringComparison.Ordinal);
            Assert.Contains("Two-factor sign-in is <strong>on</strong>", html, StringComparison.Ordinal);
        }

        Assert.True((await FindUserAsync(email)).TwoFactorEnabled);
        var off = await session.SubmitAsync("/Account/Manage/TwoFactor", new Dictionary<string, string> { ["confirm"] = "true", ["CurrentPassword"] = AccountsApp.GoodPassword }, "Disable");
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        Assert.False((await FindUserAsync(email)).TwoFactorEnabled);
        session.Dispose();
    }

    [Fact]
    public async Task Two_factor_with_an_authenticator_app_then_sign_in_with_a_code_and_with_a_recovery_code()
    {
        var (session, email) = await app.SignedInUserAsync();
        var (_, setup, _) = await session.GetAsync("/Account/Manage/TwoFactor");
        Assert.Contains("data:image/png;base64,", setup, StringComparison.Ordinal);
        var key = System.Text.RegularExpressions.Regex.Match(setup, "data-testid=\"authenticator-key\">([a-z2-7 ]+)<").Groups[1].Value;

        var enabled = await session.SubmitAsync("/Account/Manage/TwoFactor", new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow) }, "Enable");
        var enabledHtml = await enabled.Content.ReadAsStringAsync();
        Assert.Contains("Two-factor sign-in is <strong>on</strong>", enabledHtml, StringComparison.Ordinal);
        var recoveryCodes = System.Text.RegularExpressions.Regex.Matches(enabledHtml, "<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, recoveryCodes.Count);
        session.Dispose();

        using var withCode = app.NewSession();
        var login = await AccountsApp.LoginAsync(withCode, email);
        Assert.StartsWith("/Account/LoginWith2fa", login.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var wrong = await withCode.SubmitAsync("/Account/LoginWith2fa", new Dictionary<string, string> { ["Code"] = "000000" });
        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var right = await withCode.SubmitAsync("/Account/LoginWith2fa", new Dictionary<string, string> { ["Code"] = Totp.Code(key, DateTimeOffset.UtcNow), ["RememberMachine"] = "false" });
        Assert.Equal("/", right.Headers.Location!.OriginalString);

        using var withRecovery = app.NewSession();
        await AccountsApp.LoginAsync(withRecovery, email);
        var recovered = await withRecovery.SubmitAsync("/Account/LoginWithRecoveryCode", new Dictionary<string, string> { ["RecoveryCode"] = recoveryCodes[0] });
        Assert.Equal("/", recovered.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_rejected()
    {
        using var session = app.NewSession();
        await session.GetAsync("/Account/Login");
        using var response = await session.PostAsync("/Account/Login", new Dictionary<string, string> { ["Input.Email"] = "a@b.c", ["Input.Password"] = "whatever at all" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Every_page_carries_the_security_headers_and_a_hardened_session_cookie()
    {
        var (session, _) = await app.SignedInUserAsync();
        using var response = await session.Client.GetAsync(new Uri("/Account/Manage", UriKind.Relative));
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);

        // The recorder plays back its own recording from a blob: URL, and media may come from nowhere else.
        Assert.Contains("media-src blob:;", csp, StringComparison.Ordinal);
        Assert.Contains("microphone=(self)", response.Headers.GetValues("Permissions-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch("<script(?![^>]*src=)", html);

        using var fresh = app.NewSession();
        var (registerStatus, _, _) = await fresh.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, registerStatus);
        session.Dispose();
    }

    [Fact]
    public async Task The_account_page_shows_plan_usage_against_limits_and_own_activity()
    {
        var (session, email) = await app.SignedInUserAsync();
        var user = await FindUserAsync(email);
        var grain = app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(user.Id);
        await grain.TryReserve(UsageKind.Analyses, "job-1", 1);
        await grain.Commit("job-1");

        var (_, html, _) = await session.GetAsync("/Account/Manage");
        Assert.Contains("<strong>Free</strong>", html, StringComparison.Ordinal);
        Assert.Contains("Analyses: 1 of 10", html, StringComparison.Ordinal);
        Assert.Contains("<meter id=\"usage-Analyses\"", html, StringComparison.Ordinal);
        Assert.Contains("account.login", html, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task Pricing_lists_the_free_and_three_paid_plans()
    {
        using var session = app.NewSession();
        var (status, html, _) = await session.GetAsync("/Pricing");
        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var expected in new[] { "$0", "$29", "$99", "$299", "10 analyses a month", "Unlimited analyses" })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
    }

    private async Task<ManeiroUser> FindUserAsync(string email)
    {
        using var scope = app.Factory.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ManeiroUser>>().FindByEmailAsync(email))!;
    }
}
