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
        // The clinic the member acts in, as this request read it (an upload writes two rows: no grain call for either);
        // someone else's, or before the request has read it, from their user grain.
        var clinicId = Clinics.ClinicMembership.ReadThisRequest(context) is { } actor && actor.UserId == userId
            ? actor.ClinicId
            : await clinics.OfAsync(userId);

        // Not the request's token: an audit row must be written even when the client goes away.
        await log.AppendAsync(action, outcome, userId, ip, target, details, clinicId, CancellationToken.None);
    }
}
