using System.Security.Claims;
using Maneiro.Infrastructure.Audit;

namespace Maneiro.Web.Audit;

/// <summary>Writes audit rows for the current request: who (user id), their clinic and from where (IP) are filled in.</summary>
public sealed class AuditTrail(AuditLog log, AuditClinics clinics, IHttpContextAccessor accessor)
{
    /// <param name="clinicId">The clinic the member acts in when the caller has read it this request; otherwise it is
    /// read from the member's user grain.</param>
    public Task RecordAsync(string action, string outcome, string? userId = null, string? target = null, object? details = null, string? clinicId = null) =>
        RecordTogetherAsync([new AuditEntry(action, outcome, target, details)], userId, clinicId);

    /// <summary>Rows about one moment of this request (an upload and the analysis it started), written in one transaction.</summary>
    public async Task RecordTogetherAsync(IReadOnlyList<AuditEntry> entries, string? userId = null, string? clinicId = null)
    {
        var context = accessor.HttpContext;
        userId ??= context?.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var ip = context?.Connection.RemoteIpAddress?.ToString();
        // Not the request's token: an audit row must be written even when the client goes away.
        await log.AppendTogetherAsync(entries, userId, ip, clinicId ?? await clinics.OfAsync(userId), CancellationToken.None);
    }
}
