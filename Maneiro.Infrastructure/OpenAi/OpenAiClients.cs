using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Maneiro.Infrastructure.OpenAi;

/// <summary>One OpenAI client per process (it pools connections), made on first use so a missing key fails the job, not the start.</summary>
public sealed class OpenAiClients(IOptions<LlmOptions> options)
{
    private readonly Lazy<OpenAIClient> _client = new(() => Create(options.Value));

    public OpenAIClient Client => _client.Value;

    private static OpenAIClient Create(LlmOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.ApiKey))
        {
            throw new JobFailedException("The analysis service is not configured (OPENAI_API_KEY is not set).");
        }

        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = TimeSpan.FromSeconds(o.TimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(o.MaxRetries),
        };
        if (!string.IsNullOrWhiteSpace(o.Endpoint))
        {
            clientOptions.Endpoint = new Uri(o.Endpoint);
        }

        return new OpenAIClient(new ApiKeyCredential(o.ApiKey), clientOptions);
    }
}
