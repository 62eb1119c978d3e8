using System.Net;
using Maneiro.Testing;

namespace Maneiro.Tests.Accounts;

public sealed class IdleTimeoutApp : ManeiroApp
{
    public IdleTimeoutApp()
        : base(b => b.With("Security:IdleTimeout", "00:00:05"))
    {
    }
}

public sealed class IdleLogoffTests(IdleTimeoutApp app) : IClassFixture<IdleTimeoutApp>
{
    [Fact]
    public async Task A_session_left_idle_past_the_timeout_is_signed_out()
    {
        var (session, _) = await app.SignedInUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Account/Manage")).Status);

        await Task.Delay(TimeSpan.FromSeconds(7));
        var (status, _, location) = await session.GetAsync("/Account/Manage");
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.StartsWith("/Account/Login", location!.PathAndQuery, StringComparison.Ordinal);
        session.Dispose();
    }
}

public sealed class TightRateLimitApp : ManeiroApp
{
    public TightRateLimitApp()
        : base(b => b
            .With("Security:RateLimits:LoginPerIpPerMinute", "3")
            .With("Security:RateLimits:ForgotPasswordPerIpPerHour", "100")
            .With("Security:RateLimits:ForgotPasswordPerAccountPerHour", "2"))
    {
    }
}

public sealed class RateLimitTests(TightRateLimitApp app) : IClassFixture<TightRateLimitApp>
{
    [Fact]
    public async Task Login_posts_over_the_per_ip_limit_get_429_with_retry_after_a_friendly_page_and_an_audit_row()
    {
        using var session = app.NewSession();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AccountsApp.LoginAsync(session, AccountsApp.NewEmail(), "some wrong password")).StatusCode);
        }

        // Windows are fixed minutes: if the posts straddle a boundary the count restarts once, so allow a few more.
        var limited = await AccountsApp.LoginAsync(session, AccountsApp.NewEmail(), "some wrong password");
        for (var i = 0; i < 3 && limited.StatusCode != HttpStatusCode.TooManyRequests; i++)
        {
            limited.Dispose();
            limited = await AccountsApp.LoginAsync(session, AccountsApp.NewEmail(), "some wrong password");
        }

        using var _ = limited;
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("Too many attempts", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Reading the page is never limited.
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Account/Login")).Status);
        await Eventually.TrueAsync(
            async () => await app.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'security.rate_limited' AND target = '/Account/Login'") >= 1,
            "the window's refusals were audited as a summary row");
    }

    [Fact]
    public async Task Password_reset_requests_are_limited_per_account()
    {
        using var session = app.NewSession();
        var email = AccountsApp.NewEmail();
        for (var i = 0; i < 2; i++)
        {
            var ok = await session.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email });
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var limited = await session.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));

        // Counted like every other 429: into the source's summary row when the window closes, never a row per refusal.
        await Eventually.TrueAsync(
            async () => await app.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'security.rate_limited' AND target = 'forgot-password-account' AND details->>'refusals' IS NOT NULL") >= 1,
            "the per-account refusal was counted in a summary row");
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'security.rate_limited' AND target = 'forgot-password-account' AND details->>'refusals' IS NULL"));
    }
}
