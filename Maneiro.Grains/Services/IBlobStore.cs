namespace Maneiro.Grains.Services;

/// <summary>Where uploads live: a local encrypted folder in the local run, S3 in production. Keys are generated ids.</summary>
public interface IBlobStore
{
    Task PutAsync(string key, Stream content, string mediaType, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);
}

public static class BlobKeys
{
    /// <summary>A new key for an upload: never derived from anything the user typed.</summary>
    public static string NewUploadKey(string jobId) => $"uploads/{jobId}/{Guid.NewGuid():N}";

    /// <summary>Where the whole extracted text of an analysis is kept when it is longer than what the model is sent.</summary>
    public static string FullTextKey(string jobId) => $"uploads/{jobId}/full-text";

    /// <summary>Keys contain only what <see cref="NewUploadKey"/> makes, so no key can climb out of the store.</summary>
    public static bool IsWellFormed(string key) =>
        key.Length is > 0 and < 200
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_')
        && !key.Contains("..", StringComparison.Ordinal)
        && !key.StartsWith('/');
}
