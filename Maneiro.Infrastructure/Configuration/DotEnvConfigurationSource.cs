using Microsoft.Extensions.Configuration;

namespace Maneiro.Infrastructure.Configuration;

/// <summary>An optional <c>.env</c> file: <c>KEY=value</c> lines, <c>#</c> comments, optional quotes and <c>export</c>.</summary>
public sealed class DotEnvConfigurationSource(string path) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new DotEnvConfigurationProvider(path);
}

public sealed class DotEnvConfigurationProvider(string path) : ConfigurationProvider
{
    public override void Load()
    {
        Data = File.Exists(path)
            ? Parse(File.ReadAllLines(path))
            : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
    }

    public static Dictionary<string, string?> Parse(IEnumerable<string> lines)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            else
            {
                var comment = value.IndexOf(" #", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    value = value[..comment].TrimEnd();
                }
            }

            // "Section__Key" maps to "Section:Key", as for environment variables.
            data[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        return data;
    }
}
