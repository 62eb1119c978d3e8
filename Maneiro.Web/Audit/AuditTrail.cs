using System.Security.Claims;
using Maneiro.Infrastructure.Audit;

namespace Maneiro.Web.Audit;

/// <summary>Writes audit rows for the current request: who (user id), their clinic and from where (IP) are filled in.</summary>
public sealed class AuditTrail(AuditLog log, AuditClinics clinics, IHttpContextAccessor accessor)
{
    /// <param name="clinicId">The clinic the member acts in when the caller has read it this request (an upload writes
    /// two rows); otherwise it is read from the member's user grain.</param>
    public async Task RecordAsync(string action, string outcome, string? userId = null, string? target = null, object? details = null, string? clinicId = null)
    {
        var context = accessor.HttpContext;
        userId ??= context?.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var ip = context?.Connection.RemoteIpAddress?.ToString();
        // Not the request's token: an audit row must be written even when the client goes away.
        await log.AppendAsync(action, outcome, userId, ip, target, details, clinicId ?? await clinics.OfAsync(userId), CancellationToken.None);
    }
}
