using System.Net;
using System.Text.RegularExpressions;
using Maneiro.Testing;
using Maneiro.Web.Data;
using Maneiro.Web.Email;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maneiro.Tests.Accounts;

/// <summary>The accounts app with a password hasher that counts its checks, and reset links that expire at once.</summary>
public sealed class CountingHasherApp : ManeiroApp
{
    public CountingHasherApp()
        : base(b => b.With("Security:PasswordResetTokenLifetime", "00:00:00"))
    {
    }

    public CountingHasher Hasher => (CountingHasher)Factory.Services.GetRequiredService<IPasswordHasher<ManeiroUser>>();

    protected override void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<ManeiroUser>, CountingHasher>());
}

/// <summary>Identity's hasher, counting how many passwords it checked.</summary>
public sealed class CountingHasher(IOptions<PasswordHasherOptions> options) : PasswordHasher<ManeiroUser>(options)
{
    private int _verifications;

    public int Verifications => _verifications;

    public override PasswordVerificationResult VerifyHashedPassword(ManeiroUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

/// <summary>Register, sign-in and forgot-password answer the same, with the same work, for known and unknown addresses.</summary>
public sealed class AccountEnumerationTests(CountingHasherApp app) : IClassFixture<CountingHasherApp>
{
    [Fact]
    public async Task Signing_in_with_an_unknown_address_checks_a_password_exactly_like_a_wrong_password()
    {
        var (owner, email) = await app.SignedInUserAsync();
        owner.Dispose();
        using var session = app.NewSession();

        var before = app.Hasher.Verifications;
        var known = await (await AccountsApp.LoginAsync(session, email, "not the right password")).Content.ReadAsStringAsync();
        var afterKnown = app.Hasher.Verifications;
        var unknown = await (await AccountsApp.LoginAsync(session, AccountsApp.NewEmail("nobody"), "not the right password")).Content.ReadAsStringAsync();
        var afterUnknown = app.Hasher.Verifications;

        Assert.Equal(1, afterKnown - before);
        Assert.Equal(1, afterUnknown - afterKnown);
        Assert.Equal(ErrorOf(known), ErrorOf(unknown));
    }

    [Fact]
    public async Task Forgot_password_answers_the_same_page_for_a_known_and_an_unknown_address()
    {
        var (owner, email) = await app.SignedInUserAsync();
        owner.Dispose();
        using var session = app.NewSession();

        var known = await (await session.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email })).Content.ReadAsStringAsync();
        var unknown = await (await session.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = AccountsApp.NewEmail("nobody") })).Content.ReadAsStringAsync();

        Assert.Equal(WithoutTokens(known), WithoutTokens(unknown));
        await app.Mail.WaitForAsync(email, "Reset");
    }

    [Fact]
    public async Task Registering_a_pending_address_again_replaces_its_password_and_only_the_new_link_confirms()
    {
        var email = AccountsApp.NewEmail("pending");
        using var first = app.NewSession();
        Assert.Equal("/Account/RegisterConfirmation", (await AccountsApp.RegisterAsync(first, email, "the first registrant's passphrase")).Headers.Location!.OriginalString);
        var firstLink = MailPickup.LinkPath(await app.Mail.WaitForAsync(email, "Confirm"));

        using var second = app.NewSession();
        Assert.Equal("/Account/RegisterConfirmation", (await AccountsApp.RegisterAsync(second, email)).Headers.Location!.OriginalString);
        var secondLink = MailPickup.LinkPath(await app.Mail.WaitForAsync(email, "Confirm"));

        Assert.DoesNotContain("E-mail confirmed", (await first.GetAsync(firstLink)).Html, StringComparison.Ordinal);
        Assert.Contains("E-mail confirmed", (await second.GetAsync(secondLink)).Html, StringComparison.Ordinal);
        Assert.Contains("do not match", await (await AccountsApp.LoginAsync(first, email, "the first registrant's passphrase")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountsApp.LoginAsync(second, email)).StatusCode);
    }

    [Fact]
    public async Task Registering_a_confirmed_address_answers_like_a_new_sign_up_changes_nothing_and_tells_the_owner()
    {
        var (owner, email) = await app.SignedInUserAsync();
        owner.Dispose();
        using var stranger = app.NewSession();

        var response = await AccountsApp.RegisterAsync(stranger, email, "a stranger's long passphrase");
        Assert.Equal("/Account/RegisterConfirmation", response.Headers.Location!.OriginalString);
        var notice = await app.Mail.WaitForAsync(email, "Your Maneiro account");
        Assert.Contains("already has one", notice.TextBody, StringComparison.Ordinal);

        Assert.Contains("do not match", await (await AccountsApp.LoginAsync(stranger, email, "a stranger's long passphrase")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountsApp.LoginAsync(stranger, email)).StatusCode);
    }

    [Fact]
    public async Task Reset_links_expire_on_their_own_lifetime_while_confirmation_links_keep_theirs()
    {
        // This app's reset links expire at once; its confirmation links (used to sign this user up) still worked.
        var (owner, email) = await app.SignedInUserAsync();
        owner.Dispose();
        using var browser = app.NewSession();
        await browser.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = email });
        var link = MailPickup.LinkPath(await app.Mail.WaitForAsync(email, "Reset"));
        var reset = await browser.SubmitAsync(link, new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Code"] = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + link).Query)["code"]!,
            ["Password"] = "a brand new passphrase for 2026",
            ["ConfirmPassword"] = "a brand new passphrase for 2026",
        });
        Assert.Contains("This link has expired or was already used", await reset.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void By_default_a_reset_link_lives_as_long_as_its_mail_says_and_a_confirmation_link_a_day()
    {
        var mail = AccountEmails.PasswordReset("a@b.example", "https://maneiro.example/reset");
        Assert.Contains($"expires in {AccountEmails.PasswordResetLifetime.TotalHours:0} hours", mail.TextBody, StringComparison.Ordinal);

        using var scope = new DefaultAppScope();
        Assert.Equal(AccountEmails.PasswordResetLifetime, scope.Get<IOptions<PasswordResetTokenProviderOptions>>().Value.TokenLifespan);
        Assert.Equal(AccountEmails.ConfirmationLifetime, scope.Get<IOptions<DataProtectionTokenProviderOptions>>().Value.TokenLifespan);
        Assert.Equal(PasswordResetTokenProvider.ProviderName, scope.Get<IOptions<IdentityOptions>>().Value.Tokens.PasswordResetTokenProvider);
    }

    private static string ErrorOf(string html) => Regex.Match(html, "<div[^>]*validation-summary[^>]*>(.*?)</div>", RegexOptions.Singleline).Groups[1].Value;

    private static string WithoutTokens(string html) => Regex.Replace(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"[^\"]+\"", "");

    /// <summary>The production service registrations, without starting a host.</summary>
    private sealed class DefaultAppScope : IDisposable
    {
        private readonly ServiceProvider _services;

        public DefaultAppScope()
        {
            var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddDataProtection();
            services.AddManeiroAccounts(configuration, new TestEnvironment());
            _services = services.BuildServiceProvider();
        }

        public T Get<T>()
            where T : notnull => _services.GetRequiredService<T>();

        public void Dispose() => _services.Dispose();
    }

    private sealed class TestEnvironment : Microsoft.AspNetCore.Hosting.IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = "";

        public Microsoft.Extensions.FileProviders.IFileProvider WebRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();

        public string ApplicationName { get; set; } = "Maneiro.Web";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();

        public string ContentRootPath { get; set; } = "";

        public string EnvironmentName { get; set; } = "Production";
    }
}
