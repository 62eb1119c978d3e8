using System.Security.Claims;
using Maneiro.Infrastructure.Audit;

namespace Maneiro.Web.Audit;

/// <summary>Writes audit rows for the current request: who (user id), their clinic and from where (IP) are filled in.</summary>
public sealed class AuditTrail(AuditLog log, AuditClinics clinics, IHttpContextAccessor accessor)
{
    public async Task RecordAsync(string action, string outcome, string? userId = null, string? target = null, object? details = null)
    {
        var context = accessor.HttpContext;
        userId ??= context?.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var ip = context?.Connection.RemoteIpAddress?.ToString();
        // Not the request's token: an audit row must be written even when the client goes away.
        await log.AppendAsync(action, outcome, userId, ip, target, details, await clinics.OfAsync(userId), CancellationToken.None);
    }
}
