using System.Globalization;

namespace Maneiro.Grains.Domain;

/// <summary>Time zones by IANA id: stored in UTC, shown in the viewer's zone, a letter dated in its signer's.</summary>
public static class TimeZones
{
    /// <summary>The zone of an IANA id, or UTC for none or one this machine does not know.</summary>
    public static TimeZoneInfo Find(string? id)
    {
        if (id is { Length: > 0 and <= 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return zone;
        }

        return TimeZoneInfo.Utc;
    }

    public static bool IsKnown(string? id) => id is { Length: > 0 and <= 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    /// <summary>"2026-12-02 09:15 (America/Sao_Paulo)", or "… UTC".</summary>
    public static string Format(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var text = local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return zone == TimeZoneInfo.Utc ? text + " UTC" : $"{text} ({zone.Id})";
    }

    /// <summary>The day it is in a zone at an instant (a letter's date).</summary>
    public static DateOnly Today(DateTimeOffset now, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
}
