using Microsoft.AspNetCore.Hosting;

namespace Maneiro.Testing;

/// <summary>A far end an app under test talks to (a fake server, a scratch Redis): started before the app, with the settings that point the app at it.</summary>
public interface IAppPart : IAsyncDisposable
{
    Task StartAsync();

    IReadOnlyDictionary<string, string?> Settings { get; }
}

/// <summary>
/// Says what a <see cref="ManeiroApp"/> is made of: which fake far ends it talks to, which settings differ from the
/// defaults, and any extra host configuration. One builder for every test app instead of a chain of fixture subclasses.
/// </summary>
public sealed class AppBuilder
{
    internal List<IAppPart> Parts { get; } = [];

    internal Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal List<Action<IWebHostBuilder>> HostConfigurations { get; } = [];

    /// <summary>The fake OpenAI and E-utilities servers, a small ICD-10-CM order file and a blob folder of the app's own.</summary>
    public AppBuilder WithFakeModel() => With(new ModelPart());

    /// <summary>The fake Stripe API, with price ids and the webhook secret.</summary>
    public AppBuilder WithFakeStripe() => With(new StripePart());

    /// <summary>S3 uploads and AWS Transcribe, both on local fakes speaking their wire protocols.</summary>
    public AppBuilder WithFakeAws() => With(new AwsPart());

    public AppBuilder With(IAppPart part)
    {
        Parts.Add(part);
        return this;
    }

    public AppBuilder With(string key, string? value)
    {
        Settings[key] = value;
        return this;
    }

    public AppBuilder With(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        foreach (var (key, value) in settings)
        {
            Settings[key] = value;
        }

        return this;
    }

    public AppBuilder ConfigureHost(Action<IWebHostBuilder> configure)
    {
        HostConfigurations.Add(configure);
        return this;
    }

    public T Part<T>()
        where T : class, IAppPart =>
        Parts.OfType<T>().SingleOrDefault() ?? throw new InvalidOperationException($"This test app was built without {typeof(T).Name}.");
}

/// <summary>The fake model and PubMed, the ICD-10-CM fixture and the app's own blob folder.</summary>
public sealed class ModelPart : IAppPart
{
    public FakeOpenAi OpenAi { get; private set; } = null!;

    public FakeEutils PubMed { get; private set; } = null!;

    public string Icd10File { get; } = Path.Combine(Path.GetTempPath(), $"icd10cm-order-test-{Guid.NewGuid():N}.txt");

    public string BlobRoot { get; } = Path.Combine(Path.GetTempPath(), "maneiro-blobs-" + Guid.NewGuid().ToString("N"));

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["OPENAI_API_KEY"] = "sk-test",
        ["OpenAI:Endpoint"] = OpenAi.Endpoint.ToString(),
        ["OpenAI:MaxRetries"] = "0",
        ["Icd10:CodesFile"] = Icd10File,
        ["Ncbi:BaseUrl"] = PubMed.BaseUrl.ToString(),
        ["Storage:LocalPath"] = BlobRoot,
        ["Security:RateLimits:UploadsPerUserPerMinute"] = "1000",
    };

    public async Task StartAsync()
    {
        OpenAi = await FakeOpenAi.StartAsync();
        PubMed = await FakeEutils.StartAsync();
        await File.WriteAllLinesAsync(Icd10File,
        [
            JobsApp.OrderLine(1, "H40", false, "Glaucoma"),
            JobsApp.OrderLine(2, "H401", false, "Open-angle glaucoma"),
            JobsApp.OrderLine(3, "H4011", false, "Primary open-angle glaucoma"),
            JobsApp.OrderLine(4, "H401112", true, "Primary open-angle glaucoma, right eye, moderate stage"),
            JobsApp.OrderLine(5, "E119", true, "Type 2 diabetes mellitus without complications"),
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        await OpenAi.DisposeAsync();
        await PubMed.DisposeAsync();
        File.Delete(Icd10File);
        if (Directory.Exists(BlobRoot))
        {
            Directory.Delete(BlobRoot, true);
        }
    }
}

/// <summary>The fake Stripe API.</summary>
public sealed class StripePart : IAppPart
{
    public FakeStripe Stripe { get; private set; } = null!;

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["STRIPE_SECRET_KEY"] = "sk_test_123",
        ["STRIPE_WEBHOOK_SECRET"] = FakeStripe.WebhookSecret,
        ["Stripe:ApiBase"] = Stripe.ApiBase.ToString().TrimEnd('/'),
        ["Stripe:Prices:Basic"] = "price_basic",
        ["Stripe:Prices:Professional"] = "price_professional",
        ["Stripe:Prices:Enterprise"] = "price_enterprise",
        ["Security:FormRedirectOrigins:0"] = "https://checkout.stripe.test",
        ["Security:FormRedirectOrigins:1"] = "https://billing.stripe.test",
    };

    public async Task StartAsync() => Stripe = await FakeStripe.StartAsync();

    public ValueTask DisposeAsync() => Stripe.DisposeAsync();
}

/// <summary>S3 and Transcribe fakes.</summary>
public sealed class AwsPart : IAppPart
{
    public FakeS3 S3 { get; private set; } = null!;

    public FakeTranscribe Transcribe { get; private set; } = null!;

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AWS_S3_BUCKET"] = "maneiro-uploads",
        ["AWS_REGION"] = "us-west-2",
        ["AWS_ENDPOINT_URL_S3"] = S3.Endpoint.ToString(),
        ["Storage:S3:AccessKeyId"] = "AKIDS3",
        ["Storage:S3:SecretAccessKey"] = "s3-secret",
        ["Transcription:Provider"] = "AwsTranscribe",
        ["AWS_ENDPOINT_URL_TRANSCRIBE"] = Transcribe.Endpoint.ToString(),
        ["Transcription:Aws:AccessKeyId"] = FakeTranscribe.AccessKey,
        ["Transcription:Aws:SecretAccessKey"] = FakeTranscribe.SecretKey,
        ["Transcription:Aws:FirstPollMilliseconds"] = "50",
    };

    public async Task StartAsync()
    {
        S3 = await FakeS3.StartAsync();
        Transcribe = await FakeTranscribe.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await S3.DisposeAsync();
        await Transcribe.DisposeAsync();
    }
}
