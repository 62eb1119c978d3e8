using System.Net;
using Maneiro.Testing;

namespace Maneiro.Tests.Web;

/// <summary>An app whose proxy is elsewhere: loopback (the test client) is not trusted to forward.</summary>
public sealed class UntrustedForwarderApp : ManeiroApp
{
    public UntrustedForwarderApp()
        : base(b => b.With("App:ForwardedHeaders:KnownProxies", "10.9.9.9"))
    {
    }
}

/// <summary>The client address the audit trail and rate limits see, from trusted and untrusted forwarders (issue 14, item 4).</summary>
public sealed class ForwardedHeadersTests(AccountsApp trusted, UntrustedForwarderApp untrusted) : IClassFixture<AccountsApp>, IClassFixture<UntrustedForwarderApp>
{
    [Fact]
    public async Task A_trusted_proxy_names_the_client_and_an_untrusted_one_is_ignored()
    {
        Assert.Equal("203.0.113.7", await LoginIpAsync(trusted));
        Assert.Equal("127.0.0.1", await LoginIpAsync(untrusted));
    }

    private static async Task<string?> LoginIpAsync(ManeiroApp app)
    {
        var (signedIn, email) = await app.SignedInUserAsync("proxied");
        signedIn.Dispose();
        using var session = app.NewSession();
        session.Client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        session.Client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        Assert.Equal(HttpStatusCode.Redirect, (await ManeiroApp.LoginAsync(session, email)).StatusCode);
        var userId = await app.UserIdAsync(email);
        return await app.Database.ScalarAsync<string>($"SELECT ip FROM audit_log WHERE action = 'account.login' AND user_id = '{userId}' ORDER BY id DESC LIMIT 1");
    }
}
