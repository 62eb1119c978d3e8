namespace Maneiro.Infrastructure.Audit;

/// <summary>
/// The clinic an audit row belongs to: the acting account's clinic at the time of writing. The row is written even
/// when the clinic cannot be read (the cluster away): then without one.
/// </summary>
public sealed class AuditClinics(IGrainFactory grains)
{
    public async Task<string?> OfAsync(string? userId)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return null;
        }

        try
        {
            return await grains.GetGrain<IUserGrain>(userId).CurrentClinicId();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }
}
