namespace Maneiro.Infrastructure.Configuration;

/// <summary>A required setting is absent. The message names the setting and where it can come from, never a value.</summary>
public sealed class MissingSettingException(string key, string hint)
    : InvalidOperationException($"Required setting '{key}' is not set. {hint}")
{
    public string Key { get; } = key;
}
