using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Maneiro.Infrastructure.Storage;

/// <summary>
/// Blobs as files under a folder, encrypted at rest with AES-GCM in 64 KiB chunks (so large audio never has to sit
/// in memory whole). Each chunk has its own nonce (file nonce + chunk index) and tag; the last chunk is marked so a
/// truncated file fails to decrypt rather than reading short.
/// </summary>
public sealed class LocalEncryptedBlobStore(string root, byte[] key) : IBlobStore
{
    private const int ChunkSize = 64 * 1024;
    private static readonly byte[] Magic = "MNB1"u8.ToArray();

    public async Task PutAsync(string key, Stream content, string mediaType, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".part";
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var baseNonce = RandomNumberGenerator.GetBytes(12);
                await file.WriteAsync(Magic, cancellationToken);
                await file.WriteAsync(baseNonce, cancellationToken);
                using var aes = new AesGcm(keyBytes, 16);
                var plain = new byte[ChunkSize];
                var cipher = new byte[ChunkSize];
                var tag = new byte[16];
                var header = new byte[5];
                long index = 0;
                var read = await ReadFullAsync(content, plain, cancellationToken);
                while (true)
                {
                    var next = new byte[ChunkSize];
                    var nextRead = read == ChunkSize ? await ReadFullAsync(content, next, cancellationToken) : 0;
                    var last = nextRead == 0;
                    header[0] = last ? (byte)1 : (byte)0;
                    BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), read);
                    aes.Encrypt(Nonce(baseNonce, index), plain.AsSpan(0, read), cipher.AsSpan(0, read), tag, header);
                    await file.WriteAsync(header, cancellationToken);
                    await file.WriteAsync(cipher.AsMemory(0, read), cancellationToken);
                    await file.WriteAsync(tag, cancellationToken);
                    if (last)
                    {
                        break;
                    }

                    plain = next;
                    read = nextRead;
                    index++;
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        // Decrypts into a temporary file that deletes itself, so callers get a seekable stream without the plaintext in memory.
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("No such blob.", key);
        }

        var output = new FileStream(ScratchSpace.NewFilePath("decrypted"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            var magic = new byte[4];
            var baseNonce = new byte[12];
            await file.ReadExactlyAsync(magic, cancellationToken);
            await file.ReadExactlyAsync(baseNonce, cancellationToken);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new CryptographicException("Not a Maneiro blob.");
            }

            using var aes = new AesGcm(keyBytes, 16);
            var header = new byte[5];
            var tag = new byte[16];
            var cipher = new byte[ChunkSize];
            var plain = new byte[ChunkSize];
            for (long index = 0; ; index++)
            {
                await file.ReadExactlyAsync(header, cancellationToken);
                var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
                if (length is < 0 or > ChunkSize)
                {
                    throw new CryptographicException("Corrupt blob chunk.");
                }

                await file.ReadExactlyAsync(cipher.AsMemory(0, length), cancellationToken);
                await file.ReadExactlyAsync(tag, cancellationToken);
                aes.Decrypt(Nonce(baseNonce, index), cipher.AsSpan(0, length), tag, plain.AsSpan(0, length), header);
                await output.WriteAsync(plain.AsMemory(0, length), cancellationToken);
                if (header[0] == 1)
                {
                    break;
                }
            }

            output.Position = 0;
            return output;
        }
        catch
        {
            await output.DisposeAsync();
            throw;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(key)));

    private readonly byte[] keyBytes = key.Length == 32 ? key : throw new ArgumentException("The blob key must be 32 bytes.", nameof(key));

    private string PathOf(string key)
    {
        if (!BlobKeys.IsWellFormed(key))
        {
            throw new ArgumentException("Malformed blob key.", nameof(key));
        }

        var full = Path.GetFullPath(Path.Combine(root, key + ".blob"));
        return full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException("Blob key escapes the store.", nameof(key));
    }

    private static byte[] Nonce(byte[] baseNonce, long index)
    {
        var nonce = (byte[])baseNonce.Clone();
        var counter = BinaryPrimitives.ReadInt64BigEndian(nonce.AsSpan(4)) ^ index;
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }

    private static async Task<int> ReadFullAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
