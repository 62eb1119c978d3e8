namespace Maneiro.Grains.Interfaces;

/// <summary>
/// Thrown at a grain boundary when the database cannot be reached; driver exceptions are not serializable
/// across silos, so grains translate them into this.
/// </summary>
[GenerateSerializer, Alias("Maneiro.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
