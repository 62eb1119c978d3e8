using Microsoft.Extensions.Configuration;

namespace Maneiro.Infrastructure.Configuration;

/// <summary>Typed reads of the required settings, failing fast with a message that names the setting.</summary>
public static class ManeiroSettings
{
    private const string Where = "Set it as an environment variable, in a .env file, or in Parameter Store under PARAMETER_STORE_PATH.";

    public static string PostgresConnectionString(this IConfiguration configuration) =>
        ConnectionUrls.ToNpgsqlConnectionString(Required(configuration, SecretSettings.DatabaseUrl));

    public static string RedisConfiguration(this IConfiguration configuration) =>
        ConnectionUrls.ToRedisConfiguration(Required(configuration, SecretSettings.RedisUrl));

    public static string Required(this IConfiguration configuration, string key)
    {
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? throw new MissingSettingException(key, Where) : value;
    }
}
