using Maneiro.Grains.Interfaces;
using Orleans.Storage;

namespace Maneiro.Grains;

public static class GrainStorage
{
    /// <summary>The one grain storage provider (PostgreSQL through ADO.NET).</summary>
    public const string Name = "maneiro";

    /// <summary>
    /// Writes state, turning driver failures into <see cref="StorageUnavailableException"/> (see <see cref="ReachAsync"/>).
    /// ETag conflicts pass through unchanged.
    /// </summary>
    public static Task WriteAsync<T>(IPersistentState<T> state) =>
        ReachAsync(
            async () =>
            {
                await state.WriteStateAsync();
                return true;
            },
            "The database could not save this change; please try again shortly.");

    /// <summary>
    /// Runs a database call for a grain, turning driver failures into <see cref="StorageUnavailableException"/>: a
    /// driver exception cannot be serialized back to a caller on another silo. ETag conflicts pass through unchanged.
    /// </summary>
    public static async Task<TResult> ReachAsync<TResult>(Func<Task<TResult>> call, string message = "The database could not be reached; please try again shortly.")
    {
        try
        {
            return await call();
        }
        catch (InconsistentStateException)
        {
            throw;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            throw new StorageUnavailableException(message, new InvalidOperationException(ex.Message));
        }
    }
}
