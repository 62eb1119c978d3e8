using Microsoft.Extensions.Configuration;

namespace Maneiro.Infrastructure.Configuration;

public static class ManeiroConfigurationExtensions
{
    /// <summary>
    /// Adds, after the host's appsettings and environment variables: an optional <c>.env</c> in the working directory,
    /// then Parameter Store when <c>PARAMETER_STORE_PATH</c> is set. Later sources win.
    /// </summary>
    public static IConfigurationBuilder AddManeiroSources(this IConfigurationBuilder builder, string? workingDirectory = null)
    {
        builder.Add(new DotEnvConfigurationSource(Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), ".env")));

        // Read what we have so far to learn whether (and where) to ask Parameter Store.
        var soFar = builder.Build();
        var path = soFar["PARAMETER_STORE_PATH"];
        if (!string.IsNullOrWhiteSpace(path))
        {
            builder.Add(new ParameterStoreConfigurationSource(new ParameterStoreOptions
            {
                Path = path,
                Region = soFar["AWS_REGION"],
                ServiceUrl = soFar["AWS_ENDPOINT_URL_SSM"],
            }));
        }

        return builder;
    }
}
