using System.Net;
using Maneiro.Testing;

namespace Maneiro.Tests.Accounts;

public sealed class CookieSurvivesRestartTests
{
    [Fact]
    public async Task A_session_cookie_still_works_after_the_app_restarts_because_keys_live_in_redis()
    {
        var app = new AccountsApp();
        await app.InitializeAsync();
        try
        {
            var (session, _) = await app.SignedInUserAsync();
            var saved = session.Cookies.GetCookies(app.Factory.BaseAddress);
            session.Dispose();
            await app.Factory.DisposeAsync();

            // A new process (new silo, new in-memory state) on another port, same database and Redis.
            await using var restarted = new ManeiroWebFactory(app.Database.Url);
            var cookies = new CookieContainer();
            foreach (Cookie cookie in saved)
            {
                cookies.Add(restarted.BaseAddress, new Cookie(cookie.Name, cookie.Value, "/"));
            }

            using var client = restarted.CreateHttpClient(cookies);
            using var response = await client.GetAsync(new Uri("/Account/Manage", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            await app.Database.DisposeAsync();
        }
    }
}
