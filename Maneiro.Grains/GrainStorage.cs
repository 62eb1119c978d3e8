using Maneiro.Grains.Interfaces;
using Orleans.Storage;

namespace Maneiro.Grains;

public static class GrainStorage
{
    /// <summary>The one grain storage provider (PostgreSQL through ADO.NET).</summary>
    public const string Name = "maneiro";

    /// <summary>
    /// Writes state, turning driver failures into <see cref="StorageUnavailableException"/>: a driver exception
    /// cannot be serialized back to a caller on another silo. ETag conflicts pass through unchanged.
    /// </summary>
    public static async Task WriteAsync<T>(IPersistentState<T> state)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            throw;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            throw new StorageUnavailableException("The database could not save this change; please try again shortly.", new InvalidOperationException(ex.Message));
        }
    }
}
