using System.Security.Cryptography;
using Amazon.Runtime;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Storage;
using Maneiro.Testing;

namespace Maneiro.Tests.Storage;

public sealed class BlobStoreTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(65536)]
    [InlineData(200_001)]
    public async Task Local_store_round_trips_any_size_and_keeps_nothing_readable_on_disk(int size)
    {
        var root = Directory.CreateTempSubdirectory("maneiro-blobs-").FullName;
        try
        {
            var store = new LocalEncryptedBlobStore(root, RandomNumberGenerator.GetBytes(32));
            var data = RandomNumberGenerator.GetBytes(size);
            if (size >= 10)
            {
                "PATIENT-X"u8.CopyTo(data);
            }

            var key = BlobKeys.NewUploadKey("job1");
            await store.PutAsync(key, new MemoryStream(data), "application/pdf", CancellationToken.None);
            await using var read = await store.OpenReadAsync(key, CancellationToken.None);
            using var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(data, copy.ToArray());

            var onDisk = await File.ReadAllBytesAsync(Directory.GetFiles(root, "*", SearchOption.AllDirectories).Single());
            Assert.False(size >= 10 && System.Text.Encoding.ASCII.GetString(onDisk).Contains("PATIENT-X", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task Local_store_detects_tampering_and_refuses_keys_that_climb_out()
    {
        var root = Directory.CreateTempSubdirectory("maneiro-blobs-").FullName;
        try
        {
            var store = new LocalEncryptedBlobStore(root, RandomNumberGenerator.GetBytes(32));
            var key = BlobKeys.NewUploadKey("job2");
            await store.PutAsync(key, new MemoryStream(new byte[1000]), "image/png", CancellationToken.None);
            var file = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Single();
            var bytes = await File.ReadAllBytesAsync(file);
            bytes[100] ^= 0xFF;
            await File.WriteAllBytesAsync(file, bytes);
            await Assert.ThrowsAnyAsync<CryptographicException>(() => store.OpenReadAsync(key, CancellationToken.None));

            await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../../etc/passwd", new MemoryStream(), "text/plain", CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync("/etc/passwd", CancellationToken.None));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task S3_store_puts_with_server_side_encryption_reads_back_and_deletes_through_the_real_sdk()
    {
        await using var s3 = await FakeS3.StartAsync();
        using var store = new S3BlobStore(new S3StoreOptions
        {
            Bucket = "maneiro-uploads",
            Region = "us-west-2",
            ServiceUrl = s3.Endpoint.ToString(),
            Credentials = new BasicAWSCredentials("AKIDTEST", "secret"),
        });
        var key = BlobKeys.NewUploadKey("job3");
        var data = RandomNumberGenerator.GetBytes(150_000);

        await store.PutAsync(key, new MemoryStream(data), "application/pdf", CancellationToken.None);
        Assert.Equal("AES256", s3.Encryption[$"maneiro-uploads/{key}"]);
        Assert.Equal(data, s3.Objects[$"maneiro-uploads/{key}"]);
        Assert.True(await store.ExistsAsync(key, CancellationToken.None));

        await using (var read = await store.OpenReadAsync(key, CancellationToken.None))
        {
            using var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(data, copy.ToArray());
        }

        await store.DeleteAsync(key, CancellationToken.None);
        Assert.False(await store.ExistsAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(key, CancellationToken.None));
    }
}
