using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Maneiro.Infrastructure.Configuration;
using Maneiro.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Maneiro.Tests.Configuration;

/// <summary>The Parameter Store provider against a local server speaking SSM's JSON 1.1 protocol.</summary>
public sealed class ParameterStoreTests
{
    private static readonly (string Name, string Type, string Value)[] Parameters =
    [
        ("/maneiro/prod/database-url", "SecureString", "postgresql://app:pw@db:5432/maneiro"),
        ("/maneiro/prod/redis-url", "SecureString", "redis://cache:6379/0"),
        ("/maneiro/prod/secret-key", "SecureString", "s3cr3t"),
        ("/maneiro/prod/stripe-secret-key", "SecureString", "sk_test_123"),
        ("/maneiro/prod/stripe-publishable-key", "String", "pk_test_123"),
        ("/maneiro/prod/stripe-webhook-secret", "SecureString", "whsec_123"),
        ("/maneiro/prod/openai-api-key", "SecureString", "sk-openai"),
        ("/maneiro/prod/aws-s3-bucket", "String", "maneiro-uploads"),
        ("/maneiro/prod/sentry-dsn", "SecureString", "https://key@sentry.example/1"),
        ("/maneiro/prod/features/letters", "String", "on"),
    ];

    [Fact]
    public async Task Loads_every_page_recursively_with_decryption_into_the_matching_keys()
    {
        await using var ssm = await FakeHttpServer.StartAsync(AnswerInPagesOfThree);
        var configuration = new ConfigurationBuilder()
            .Add(new ParameterStoreConfigurationSource(Options(ssm)))
            .Build();

        Assert.Equal("postgresql://app:pw@db:5432/maneiro", configuration[SecretSettings.DatabaseUrl]);
        Assert.Equal("redis://cache:6379/0", configuration[SecretSettings.RedisUrl]);
        Assert.Equal("s3cr3t", configuration[SecretSettings.SecretKey]);
        Assert.Equal("sk_test_123", configuration[SecretSettings.StripeSecretKey]);
        Assert.Equal("pk_test_123", configuration[SecretSettings.StripePublishableKey]);
        Assert.Equal("whsec_123", configuration[SecretSettings.StripeWebhookSecret]);
        Assert.Equal("sk-openai", configuration[SecretSettings.OpenAiApiKey]);
        Assert.Equal("maneiro-uploads", configuration[SecretSettings.S3Bucket]);
        Assert.Equal("https://key@sentry.example/1", configuration[SecretSettings.SentryDsn]);
        Assert.Equal("on", configuration["ParameterStore:features:letters"]);

        var requests = ssm.Requests.ToList();
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("AmazonSSM.GetParametersByPath", r.Header("X-Amz-Target"));
            Assert.StartsWith("AWS4-HMAC-SHA256", r.Header("Authorization"), StringComparison.Ordinal);
            var body = JsonNode.Parse(r.Body)!;
            Assert.Equal("/maneiro/prod/", (string?)body["Path"]);
            Assert.True((bool?)body["Recursive"]);
            Assert.True((bool?)body["WithDecryption"]);
        });
        Assert.Null(JsonNode.Parse(requests[0].Body)!["NextToken"]);
        Assert.Equal("3", (string?)JsonNode.Parse(requests[1].Body)!["NextToken"]);
    }

    [Fact]
    public async Task Parameter_store_values_override_environment_and_dotenv()
    {
        await using var ssm = await FakeHttpServer.StartAsync(AnswerInPagesOfThree);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [SecretSettings.SecretKey] = "from-env" })
            .Add(new ParameterStoreConfigurationSource(Options(ssm)))
            .Build();
        Assert.Equal("s3cr3t", configuration[SecretSettings.SecretKey]);
    }

    [Fact]
    public async Task Access_denied_fails_start_up_with_a_clear_message_and_no_secret()
    {
        await using var ssm = await FakeHttpServer.StartAsync(async (_, response) =>
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            response.ContentType = "application/x-amz-json-1.1";
            await response.WriteAsync("""{"__type":"AccessDeniedException","message":"User is not authorized to perform ssm:GetParametersByPath"}""");
        });
        var ex = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .Add(new ParameterStoreConfigurationSource(Options(ssm)))
            .Build());
        Assert.Contains("/maneiro/prod/", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", ex.Message, StringComparison.Ordinal);
    }

    private static ParameterStoreOptions Options(FakeHttpServer ssm) => new()
    {
        Path = "/maneiro/prod/",
        Region = "us-west-2",
        ServiceUrl = ssm.BaseAddress.ToString(),
        Credentials = new BasicAWSCredentials("AKIDTEST", "test-secret"),
    };

    private static async Task AnswerInPagesOfThree(RecordedRequest request, HttpResponse response)
    {
        var body = JsonNode.Parse(request.Body)!;
        var start = int.TryParse((string?)body["NextToken"], out var token) ? token : 0;
        var page = Parameters.Skip(start).Take(3).Select(p => new JsonObject
        {
            ["Name"] = p.Name,
            ["Type"] = p.Type,
            ["Value"] = p.Value,
            ["Version"] = 1,
            ["ARN"] = "arn:aws:ssm:us-west-2:123456789012:parameter" + p.Name,
            ["DataType"] = "text",
            ["LastModifiedDate"] = 1.7e9,
        });
        var answer = new JsonObject { ["Parameters"] = new JsonArray(page.ToArray<JsonNode?>()) };
        if (start + 3 < Parameters.Length)
        {
            answer["NextToken"] = (start + 3).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/x-amz-json-1.1";
        await response.WriteAsync(answer.ToJsonString(new JsonSerializerOptions()));
    }
}
