using System.Security.Claims;
using Maneiro.Grains.Domain;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Web.Extensions;

/// <summary>The signed-in viewer's time zone, read once per request: pages show times in it (stored times are UTC).</summary>
public sealed class ViewerTime(IHttpContextAccessor accessor, IGrainFactory grains)
{
    private string? _id;
    private bool _loaded;

    /// <summary>The viewer's zone, UTC when none is set or nobody is signed in.</summary>
    public async Task<TimeZoneInfo> ZoneAsync() => TimeZones.Find(await IdAsync());

    /// <summary>Whether the viewer has a zone yet (the layout asks the browser for one when not).</summary>
    public async Task<bool> IsSetAsync() => await IdAsync() is not null;

    public async Task<string> FormatAsync(DateTimeOffset at) => TimeZones.Format(at, await ZoneAsync());

    private async Task<string?> IdAsync()
    {
        if (!_loaded && accessor.HttpContext?.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            _id = await grains.GetGrain<IUserGrain>(userId).TimeZone();
        }

        _loaded = true;
        return _id;
    }
}
