using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Maneiro.Infrastructure.Storage;

/// <summary>S3 settings: bucket from <c>AWS_S3_BUCKET</c>; endpoint and credentials overridable (tests, S3-compatible stores).</summary>
public sealed class S3StoreOptions
{
    public required string Bucket { get; init; }

    public string? Region { get; init; }

    public string? ServiceUrl { get; init; }

    public AWSCredentials? Credentials { get; init; }
}

/// <summary>Uploads in S3 under generated keys, with server-side encryption requested on every object.</summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;

    public S3BlobStore(S3StoreOptions options)
    {
        _bucket = options.Bucket;
        var config = new AmazonS3Config();
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        _client = options.Credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(options.Credentials, config);
    }

    public async Task PutAsync(string key, Stream content, string mediaType, CancellationToken cancellationToken)
    {
        Validate(key);
        // The SDK needs a length; spool the (already size-limited) upload to a temporary file first.
        var temp = ScratchSpace.NewFilePath("s3-spool");
        try
        {
            await using (var file = File.Create(temp))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            await _client.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    FilePath = temp,
                    ContentType = mediaType,
                    ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
                },
                cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        Validate(key);
        try
        {
            using var response = await _client.GetObjectAsync(_bucket, key, cancellationToken);
            var output = new FileStream(ScratchSpace.NewFilePath("s3-read"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await response.ResponseStream.CopyToAsync(output, cancellationToken);
            output.Position = 0;
            return output;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException("No such blob.", key);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Validate(key);
        await _client.DeleteObjectAsync(_bucket, key, cancellationToken);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        Validate(key);
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    private static void Validate(string key)
    {
        if (!BlobKeys.IsWellFormed(key))
        {
            throw new ArgumentException("Malformed blob key.", nameof(key));
        }
    }
}
