using System.Net;
using Maneiro.Testing;
using Microsoft.AspNetCore.Hosting;

namespace Maneiro.Tests.Web;

/// <summary>The app in the Development environment, as <c>./run</c> starts it: its service graph is checked at start-up.</summary>
public sealed class DevelopmentApp : ManeiroApp
{
    public DevelopmentApp()
        : base(b => b.ConfigureHost(h => h.UseEnvironment("Development")))
    {
    }
}

/// <summary>
/// `./run` serves in Development, where a singleton holding a scoped service stops start-up; the other test apps run
/// in "Testing", which does not check, so this one starts the app the way `./run` does.
/// </summary>
public sealed class DevelopmentStartTests(DevelopmentApp app) : IClassFixture<DevelopmentApp>
{
    [Fact]
    public async Task The_app_starts_in_development_and_signs_a_user_in()
    {
        using var session = app.NewSession();
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/healthz")).Status);

        var (signedIn, _) = await app.SignedInUserAsync("development");
        var (status, html, _) = await signedIn.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Sign out", html, StringComparison.Ordinal);
        signedIn.Dispose();
    }
}
