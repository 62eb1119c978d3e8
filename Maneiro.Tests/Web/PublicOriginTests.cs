using System.Net;
using System.Web;
using Maneiro.Testing;

namespace Maneiro.Tests.Web;

/// <summary>An app reached at https://app.maneiro.test (and, for the tests, 127.0.0.1).</summary>
public sealed class PublicOriginApp : ManeiroApp
{
    public const string PublicUrl = "https://app.maneiro.test";

    public PublicOriginApp()
        : base(b => b.WithFakeStripe().With("App:PublicUrl", PublicUrl).With("App:AllowedHosts", "127.0.0.1"))
    {
    }
}

/// <summary>Absolute links come from the configured public origin; the Host header a client sends steers nothing.</summary>
public sealed class PublicOriginTests(PublicOriginApp app) : IClassFixture<PublicOriginApp>
{
    [Fact]
    public async Task Mail_links_use_the_public_origin_whatever_host_the_request_named()
    {
        var email = ManeiroApp.NewEmail("links");
        using var session = app.NewSession();
        Assert.Equal(HttpStatusCode.Redirect, (await ManeiroApp.RegisterAsync(session, email)).StatusCode);
        var confirmation = await app.Mail.WaitForAsync(email, "Confirm");
        Assert.StartsWith(PublicOriginApp.PublicUrl + "/Account/ConfirmEmail?", Link(confirmation), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync(MailPickup.LinkPath(confirmation))).Status);

        Assert.Equal(HttpStatusCode.OK, (await session.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email })).StatusCode);
        var reset = await app.Mail.WaitForAsync(email, "Reset");
        Assert.StartsWith(PublicOriginApp.PublicUrl + "/Account/ResetPassword?", Link(reset), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_host_is_refused_and_no_mail_is_sent_but_health_checks_answer_any_host()
    {
        var (session, email) = await app.SignedInUserAsync("forged");
        var (_, html, _) = await session.GetAsync("/Account/ForgotPassword");
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/Account/ForgotPassword")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = email,
                ["__RequestVerificationToken"] = BrowserSession.AntiforgeryToken(html)!,
            }),
        };
        forged.Headers.Host = "evil.example";
        using var refused = await session.Client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        // Refused before the page ran: the next, genuine request is the only one that mails a link.
        Assert.Equal(HttpStatusCode.OK, (await session.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email })).StatusCode);
        Assert.StartsWith(PublicOriginApp.PublicUrl, Link(await app.Mail.WaitForAsync(email, "Reset")), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(app.Mail.Directory, "*.eml"), f => File.ReadAllText(f).Contains(email, StringComparison.OrdinalIgnoreCase));

        // Platform and compose health checks name whatever host they use.
        using var health = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        health.Headers.Host = "web:8080";
        using var healthy = await session.Client.SendAsync(health);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task Stripe_return_urls_use_the_public_origin()
    {
        var (session, _) = await app.SignedInUserAsync("stripe");
        var response = await session.SubmitAsync("/Pricing", new Dictionary<string, string> { ["tier"] = "Basic" }, null, "/Billing/Checkout");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var form = HttpUtility.ParseQueryString(app.Stripe.Requests.Last(r => r.PathAndQuery.StartsWith("/v1/checkout/sessions", StringComparison.Ordinal)).Body);
        Assert.StartsWith(PublicOriginApp.PublicUrl + "/Billing/Success", form["success_url"], StringComparison.Ordinal);
        Assert.Equal(PublicOriginApp.PublicUrl + "/Billing/Canceled", form["cancel_url"]);
    }

    private static string Link(MimeKit.MimeMessage message) =>
        System.Text.RegularExpressions.Regex.Match(message.TextBody ?? "", @"https?://\S+").Value;
}
