using System.Security.Cryptography;
using System.Text;
using Maneiro.Grains.Analyses;
using Maneiro.Grains.Domain;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Infrastructure.OpenAi;
using Maneiro.Infrastructure.References;
using Maneiro.Infrastructure.Speech;
using Maneiro.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Maneiro.Infrastructure.Pipeline;

public static class PipelineExtensions
{
    /// <summary>The adapters the analysis and letter grains call: extraction, OCR, the model, references, speech and ICD-10 codes.</summary>
    public static IServiceCollection AddManeiroPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<IPdfTextLayer>(sp => sp.GetRequiredService<PopplerPdf>());
        services.TryAddSingleton<IOcr, TesseractOcr>();
        services.TryAddSingleton<OpenAiClients>();
        services.TryAddSingleton<ClinicalAnalyzer>();
        services.TryAddSingleton<IClinicalAnalyzer>(sp => sp.GetRequiredService<ClinicalAnalyzer>());
        services.TryAddSingleton<ILetterWriter, LetterWriter>();
        services.TryAddSingleton<ITemplateProposer, TemplateProposer>();
        services.TryAddSingleton<IIntakeTriager, IntakeTriager>();
        services.TryAddSingleton<FfmpegAudio>();
        services.TryAddSingleton<IAudioProbe>(sp => sp.GetRequiredService<FfmpegAudio>());
        services.TryAddSingleton<IRecordingAssembler, RecordingAssembler>();
        services.AddManeiroSpeechToText(configuration);
        services.Configure<NcbiOptions>(configuration.GetSection(NcbiOptions.SectionName));
        // One request rate for the whole deployment (every silo), kept in the Redis it shares, keyed by its ServiceId.
        services.TryAddSingleton(sp => new NcbiRequestSlots(
            sp.GetService<StackExchange.Redis.IConnectionMultiplexer>(),
            $"maneiro:{Maneiro.Infrastructure.Hosting.OrleansSettings.From(configuration).ServiceId}:ncbi-next-request",
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IReferenceFinder>(sp => new PubMedReferences(
            new HttpClient { Timeout = TimeSpan.FromSeconds(20) },
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<NcbiOptions>>(),
            sp.GetRequiredService<NcbiRequestSlots>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<LlmOptions>()
            .Bind(configuration.GetSection(LlmOptions.SectionName))
            .PostConfigure(o => o.ApiKey ??= configuration[SecretSettings.OpenAiApiKey]);

        // Loaded here, while the host is built: eagerly, off the Orleans scheduler, and a bad configured file stops start-up.
        if (!services.Any(d => d.ServiceType == typeof(Icd10Catalog)))
        {
            services.AddSingleton(Icd10Tables.Load(configuration["Icd10:CodesFile"]));
        }
        services.TryAddSingleton<Maneiro.Grains.Jobs.DocumentReader>();
        services.TryAddSingleton<AnalysisSteps>();
        return services;
    }

    /// <summary>
    /// <c>Transcription:Provider</c>: <c>OpenAI</c> (default) or <c>AwsTranscribe</c>, which reads the audio from the S3
    /// upload bucket (so it needs <c>AWS_S3_BUCKET</c>) in <c>AWS_REGION</c>; <c>AWS_ENDPOINT_URL_TRANSCRIBE</c> overrides the endpoint.
    /// </summary>
    public static IServiceCollection AddManeiroSpeechToText(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration["Transcription:Provider"] ?? "OpenAI";
        if (provider.Equals("AwsTranscribe", StringComparison.OrdinalIgnoreCase))
        {
            var bucket = configuration.Required(SecretSettings.S3Bucket);
            var accessKey = configuration["Transcription:Aws:AccessKeyId"];
            services.TryAddSingleton<ISpeechToText>(sp => new AwsTranscribeSpeechToText(
                new HttpClient { Timeout = TimeSpan.FromSeconds(60) },
                new AwsTranscribeOptions
                {
                    Region = configuration["AWS_REGION"] ?? "us-east-1",
                    Bucket = bucket,
                    ServiceUrl = configuration["AWS_ENDPOINT_URL_TRANSCRIBE"],
                    Credentials = string.IsNullOrEmpty(accessKey)
                        ? Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials()
                        : new Amazon.Runtime.BasicAWSCredentials(accessKey, configuration["Transcription:Aws:SecretAccessKey"]),
                    FirstPoll = TimeSpan.FromMilliseconds(configuration.GetValue("Transcription:Aws:FirstPollMilliseconds", 2000)),
                },
                sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.TryAddSingleton<ISpeechToText, OpenAiSpeechToText>();
        }

        return services;
    }

    /// <summary>
    /// With <c>AWS_S3_BUCKET</c> set, uploads go to S3 (SSE requested). Otherwise they are stored encrypted in <c>Storage:LocalPath</c> (default <c>.local/blobs</c> under the working directory).
    /// The 256-bit key is <c>Storage:EncryptionKey</c> (base64) or, when unset, derived from <c>SECRET_KEY</c>.
    /// </summary>
    internal static IServiceCollection AddManeiroBlobStore(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[SecretSettings.S3Bucket] is { Length: > 0 } bucket)
        {
            var accessKey = configuration["Storage:S3:AccessKeyId"];
            services.TryAddSingleton<IBlobStore>(_ => new S3BlobStore(new S3StoreOptions
            {
                Bucket = bucket,
                Region = configuration["AWS_REGION"],
                ServiceUrl = configuration["AWS_ENDPOINT_URL_S3"],
                Credentials = string.IsNullOrEmpty(accessKey) ? null : new Amazon.Runtime.BasicAWSCredentials(accessKey, configuration["Storage:S3:SecretAccessKey"]),
            }));
            return services;
        }

        var key = BlobKey(configuration);
        var root = configuration["Storage:LocalPath"] is { Length: > 0 } path ? path : Path.Combine(Directory.GetCurrentDirectory(), ".local", "blobs");
        services.TryAddSingleton<IBlobStore>(_ => new LocalEncryptedBlobStore(Path.GetFullPath(root), key));
        return services;
    }

    private static byte[] BlobKey(IConfiguration configuration)
    {
        if (configuration["Storage:EncryptionKey"] is { Length: > 0 } explicitKey)
        {
            var bytes = Convert.FromBase64String(explicitKey);
            return bytes.Length == 32 ? bytes : throw new InvalidOperationException("Storage:EncryptionKey must be 32 bytes, base64-encoded.");
        }

        var secret = configuration.Required(SecretSettings.SecretKey);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: "maneiro-blob-store-v1"u8.ToArray());
    }
}
