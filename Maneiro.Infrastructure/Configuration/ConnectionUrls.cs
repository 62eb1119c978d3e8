using System.Globalization;
using Npgsql;

namespace Maneiro.Infrastructure.Configuration;

/// <summary>Turns the URL forms that Render/Heroku hand out into the connection strings our drivers take.</summary>
public static class ConnectionUrls
{
    /// <summary>Accepts <c>postgres(ql)://user:pass@host:port/db?sslmode=require</c> or an Npgsql connection string.</summary>
    public static string ToNpgsqlConnectionString(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var trimmed = value.Trim();
        if (!trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            && !trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            // Validates the keywords without echoing the value (it may hold a password).
            try
            {
                return new NpgsqlConnectionStringBuilder(trimmed).ConnectionString;
            }
            catch (ArgumentException)
            {
                throw new FormatException("DATABASE_URL is neither a postgresql:// URL nor a valid Npgsql connection string.");
            }
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("DATABASE_URL is not a valid postgresql:// URL.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        }

        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        foreach (var (key, val) in ParseQuery(uri.Query))
        {
            if (key.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
            {
                builder.SslMode = Enum.Parse<SslMode>(val, ignoreCase: true);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>Accepts <c>redis://[:password@]host:port[/db]</c>, <c>rediss://</c> (TLS) or a StackExchange.Redis configuration string.</summary>
    public static string ToRedisConfiguration(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var trimmed = value.Trim();
        var tls = trimmed.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase);
        if (!tls && !trimmed.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            return trimmed;
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("REDIS_URL is not a valid redis:// URL.");
        }

        var port = uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port;
        var parts = new List<string> { $"{uri.Host}:{port.ToString(CultureInfo.InvariantCulture)}", "abortConnect=false" };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo.Length == 2)
        {
            if (userInfo[0].Length > 0)
            {
                parts.Add("user=" + Uri.UnescapeDataString(userInfo[0]));
            }

            parts.Add("password=" + Uri.UnescapeDataString(userInfo[1]));
        }
        else if (userInfo[0].Length > 0)
        {
            parts.Add("password=" + Uri.UnescapeDataString(userInfo[0]));
        }

        var db = uri.AbsolutePath.Trim('/');
        if (db.Length > 0)
        {
            if (!int.TryParse(db, NumberStyles.None, CultureInfo.InvariantCulture, out var dbNumber))
            {
                throw new FormatException("REDIS_URL's path must be a database number, like redis://host:6379/0.");
            }

            parts.Add("defaultDatabase=" + dbNumber.ToString(CultureInfo.InvariantCulture));
        }

        if (tls)
        {
            parts.Add("ssl=true");
        }

        return string.Join(',', parts);
    }

    private static IEnumerable<(string Key, string Value)> ParseQuery(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            yield return (Uri.UnescapeDataString(kv[0]), kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "");
        }
    }
}
