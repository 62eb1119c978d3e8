using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maneiro.Testing;

/// <summary>
/// The real web app on its own database, with its mail going to a pickup folder the tests read, and whatever an
/// <see cref="AppBuilder"/> added (fake far ends, settings, host configuration). Test fixtures are one line each:
/// <c>public sealed class SmallUploadLimitApp() : ManeiroApp(b =&gt; b.WithFakeModel().With("Uploads:MaxDocumentBytes", "200000"));</c>
/// </summary>
public class ManeiroApp : IAsyncLifetime
{
    public const string GoodPassword = "correct horse battery staple 42";

    private readonly AppBuilder _recipe = new();

    public ManeiroApp(Action<AppBuilder> build) => build(_recipe);

    /// <summary>An app with nothing but accounts (no model, no Stripe).</summary>
    public ManeiroApp()
        : this(_ => { })
    {
    }

    public TestDatabase Database { get; } = new();

    public MailPickup Mail { get; } = new(Path.Combine(Path.GetTempPath(), "maneiro-mail-" + Guid.NewGuid().ToString("N")));

    public ManeiroWebFactory Factory { get; protected set; } = null!;

    /// <summary>A part the app was built with.</summary>
    public T Part<T>()
        where T : class, IAppPart => _recipe.Part<T>();

    public FakeOpenAi OpenAi => _recipe.Part<ModelPart>().OpenAi;

    public FakeEutils PubMed => _recipe.Part<ModelPart>().PubMed;

    public string Icd10File => _recipe.Part<ModelPart>().Icd10File;

    public string BlobRoot => _recipe.Part<ModelPart>().BlobRoot;

    public FakeStripe Stripe => _recipe.Part<StripePart>().Stripe;

    public FakeS3 S3 => _recipe.Part<AwsPart>().S3;

    public FakeTranscribe Transcribe => _recipe.Part<AwsPart>().Transcribe;

    /// <summary>The settings the app was started with, to start it again the same way.</summary>
    public IDictionary<string, string?> StartSettings { get; private set; } = new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        foreach (var part in _recipe.Parts)
        {
            await part.StartAsync();
        }

        await Database.InitializeAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Mail:PickupDirectory"] = Mail.Directory,
            ["Security:SecurityStampValidationInterval"] = "00:00:00",
            ["Security:RateLimits:KeyPrefix"] = "rl-test-" + Guid.NewGuid().ToString("N"),

            // Refusal summaries are written when their window closes: seconds in tests, not a minute.
            ["Security:RefusalWindow"] = "00:00:02",
        };
        foreach (var (key, value) in _recipe.Parts.SelectMany(p => p.Settings).Concat(_recipe.Settings))
        {
            settings[key] = value;
        }

        StartSettings = settings;
        Factory = new ManeiroWebFactory(Database.Url, settings, ConfigureHost);
        _ = Factory.BaseAddress;
    }

    /// <summary>Stops the app (its co-hosted silo included) and starts it again on the same database.</summary>
    public async Task RestartAsync()
    {
        await Factory.DisposeAsync();
        Factory = new ManeiroWebFactory(Database.Url, StartSettings, ConfigureHost);
        _ = Factory.BaseAddress;
    }

    public virtual async Task DisposeAsync()
    {
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        await Database.DisposeAsync();
        foreach (var part in _recipe.Parts)
        {
            await part.DisposeAsync();
        }

        if (Directory.Exists(Mail.Directory))
        {
            Directory.Delete(Mail.Directory, recursive: true);
        }
    }

    /// <summary>Files in the app's blob store right now (encrypted uploads).</summary>
    public int StoredBlobCount() => Directory.Exists(BlobRoot) ? Directory.GetFiles(BlobRoot, "*", SearchOption.AllDirectories).Length : 0;

    /// <summary>Every log record the app writes at <see cref="CapturedLevel"/> and above, for failure messages and log assertions.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The least level <see cref="Logs"/> keeps: warnings and errors unless an app observes more.</summary>
    protected virtual LogLevel CapturedLevel => LogLevel.Warning;

    /// <summary>The captured lines that mention <paramref name="id"/> (a job's, a user's), one a line, for an assertion's message.</summary>
    public string LogsAbout(string id) =>
        string.Join(Environment.NewLine, Logs.Records.Where(r => r.Text.Contains(id, StringComparison.Ordinal)).Select(r => $"[{r.Level}] {r.Category}: {r.Text}"));

    /// <summary>Applies the builder's host configuration; an app with members of its own may add to it.</summary>
    protected virtual void ConfigureHost(IWebHostBuilder builder)
    {
        foreach (var configure in _recipe.HostConfigurations)
        {
            configure(builder);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<CapturedLogs>(null, CapturedLevel);

            // The app caps the framework categories that print URLs (e-mail links carry tokens); so does this capture.
            foreach (var (category, minimum) in Maneiro.Infrastructure.Observability.TelemetryExtensions.CappedCategories)
            {
                logging.AddFilter<CapturedLogs>(category, minimum > CapturedLevel ? minimum : CapturedLevel);
            }
        });
    }

    public BrowserSession NewSession()
    {
        var cookies = new CookieContainer();
        return new BrowserSession(Factory.CreateHttpClient(cookies), cookies);
    }

    /// <summary>The Identity user id (also the user grain's key) of the account with this e-mail.</summary>
    public async Task<string> UserIdAsync(string email)
    {
        using var scope = Factory.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ManeiroUser>>().FindByEmailAsync(email))!.Id;
    }

    public IGrainFactory Grains => Factory.Services.GetRequiredService<IGrainFactory>();

    public IUserGrain UserGrain(string userId) => Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(userId);

    public static string NewEmail(string name = "doctor") => $"{name}.{Guid.NewGuid().ToString("N")[..10]}@clinic.example";

    public static async Task<HttpResponseMessage> RegisterAsync(BrowserSession session, string email, string password = GoodPassword) =>
        await session.SubmitAsync("/Account/Register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.FirstName"] = "Ana",
            ["Input.LastName"] = "Souza",
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    public async Task ConfirmAsync(BrowserSession session, string email)
    {
        var mail = await Mail.WaitForAsync(email, "Confirm");
        var (status, html, _) = await session.GetAsync(MailPickup.LinkPath(mail));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("E-mail confirmed", html, StringComparison.Ordinal);
    }

    public static Task<HttpResponseMessage> LoginAsync(BrowserSession session, string email, string password = GoodPassword) =>
        session.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>Registers, confirms through the mail, and signs in; returns the signed-in session.</summary>
    public async Task<(BrowserSession Session, string Email)> SignedInUserAsync(string name = "doctor")
    {
        var email = NewEmail(name);
        var session = NewSession();
        Assert.Equal(HttpStatusCode.Redirect, (await RegisterAsync(session, email)).StatusCode);
        await ConfirmAsync(session, email);
        var login = await LoginAsync(session, email);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        return (session, email);
    }
}
