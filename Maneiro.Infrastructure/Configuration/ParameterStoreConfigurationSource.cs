using Amazon;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.Configuration;

namespace Maneiro.Infrastructure.Configuration;

/// <summary>Where to read secrets from AWS Systems Manager Parameter Store.</summary>
public sealed class ParameterStoreOptions
{
    /// <summary>Path prefix such as <c>/maneiro/prod/</c>.</summary>
    public required string Path { get; init; }

    public string? Region { get; init; }

    /// <summary>Endpoint override (tests, VPC endpoints); the SDK's regional endpoint otherwise.</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>Explicit credentials; the SDK's default chain (env, profile, instance role) otherwise.</summary>
    public AWSCredentials? Credentials { get; init; }
}

public sealed class ParameterStoreConfigurationSource(ParameterStoreOptions options) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ParameterStoreConfigurationProvider(options);
}

/// <summary>
/// Loads every parameter under the path (recursive, SecureStrings decrypted, all pages) and maps the known names
/// to configuration keys; unknown leaves become <c>ParameterStore:name</c>. Values are never logged.
/// </summary>
public sealed class ParameterStoreConfigurationProvider(ParameterStoreOptions options) : ConfigurationProvider
{
    public override void Load()
    {
        // Configuration loading is synchronous by contract; this runs once at start-up, before any scheduler exists.
        Data = LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public async Task<Dictionary<string, string?>> LoadAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var prefix = options.Path.EndsWith('/') ? options.Path : options.Path + "/";
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string? nextToken = null;
        do
        {
            GetParametersByPathResponse page;
            try
            {
                page = await client.GetParametersByPathAsync(
                    new GetParametersByPathRequest
                    {
                        Path = options.Path,
                        Recursive = true,
                        WithDecryption = true,
                        NextToken = nextToken,
                    },
                    cancellationToken);
            }
            catch (AmazonServiceException ex)
            {
                throw new InvalidOperationException(
                    $"Could not read Parameter Store path '{options.Path}': {ex.ErrorCode ?? ex.GetType().Name}. Check AWS_REGION and the instance's IAM permissions (ssm:GetParametersByPath, kms:Decrypt).",
                    ex);
            }

            foreach (var parameter in page.Parameters ?? [])
            {
                var name = parameter.Name.StartsWith(prefix, StringComparison.Ordinal) ? parameter.Name[prefix.Length..] : parameter.Name.TrimStart('/');
                var key = SecretSettings.ParameterNames.TryGetValue(name, out var known)
                    ? known
                    : "ParameterStore:" + name.Replace('/', ':');
                data[key] = parameter.Value;
            }

            nextToken = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (nextToken is not null);

        return data;
    }

    private AmazonSimpleSystemsManagementClient CreateClient()
    {
        var config = new AmazonSimpleSystemsManagementConfig();
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return options.Credentials is null
            ? new AmazonSimpleSystemsManagementClient(config)
            : new AmazonSimpleSystemsManagementClient(options.Credentials, config);
    }
}
