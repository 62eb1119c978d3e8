using System.Buffers;
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
    private const int HeaderSize = 5;
    private const int TagSize = 16;
    private static readonly byte[] Magic = "MNB1"u8.ToArray();

    public async Task PutAsync(string key, Stream content, string mediaType, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".part";

        // Chunk buffers come from the shared pool (an upload used to allocate a quarter of a megabyte of them), and
        // the plaintext ones are cleared before they go back: they held patient data.
        var plain = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var next = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var frame = ArrayPool<byte>.Shared.Rent(HeaderSize + ChunkSize + TagSize);
        try
        {
            // Unbuffered: every write below is a whole frame.
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
            {
                var baseNonce = RandomNumberGenerator.GetBytes(12);
                await file.WriteAsync((byte[])[.. Magic, .. baseNonce], cancellationToken);
                using var aes = new AesGcm(keyBytes, TagSize);
                long index = 0;
                var read = await ReadFullAsync(content, plain.AsMemory(0, ChunkSize), cancellationToken);
                while (true)
                {
                    var nextRead = read == ChunkSize ? await ReadFullAsync(content, next.AsMemory(0, ChunkSize), cancellationToken) : 0;
                    var last = nextRead == 0;

                    // A frame: header (last-chunk flag, length; authenticated), ciphertext, tag.
                    var header = frame.AsSpan(0, HeaderSize);
                    header[0] = last ? (byte)1 : (byte)0;
                    BinaryPrimitives.WriteInt32BigEndian(header[1..], read);
                    aes.Encrypt(Nonce(baseNonce, index), plain.AsSpan(0, read), frame.AsSpan(HeaderSize, read), frame.AsSpan(HeaderSize + read, TagSize), header);
                    await file.WriteAsync(frame.AsMemory(0, HeaderSize + read + TagSize), cancellationToken);
                    if (last)
                    {
                        break;
                    }

                    (plain, next) = (next, plain);
                    read = nextRead;
                    index++;
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain, clearArray: true);
            ArrayPool<byte>.Shared.Return(next, clearArray: true);
            ArrayPool<byte>.Shared.Return(frame);
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

        var output = new FileStream(ScratchSpace.NewFilePath("decrypted"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var sealedChunk = ArrayPool<byte>.Shared.Rent(ChunkSize + TagSize);
        var plain = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
            var start = new byte[Magic.Length + 12];
            await file.ReadExactlyAsync(start, cancellationToken);
            if (!start.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                throw new CryptographicException("Not a Maneiro blob.");
            }

            var baseNonce = start[Magic.Length..];
            using var aes = new AesGcm(keyBytes, TagSize);
            var header = new byte[HeaderSize];
            for (long index = 0; ; index++)
            {
                await file.ReadExactlyAsync(header, cancellationToken);
                var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
                if (length is < 0 or > ChunkSize)
                {
                    throw new CryptographicException("Corrupt blob chunk.");
                }

                // The ciphertext and its tag in one read.
                await file.ReadExactlyAsync(sealedChunk.AsMemory(0, length + TagSize), cancellationToken);
                aes.Decrypt(Nonce(baseNonce, index), sealedChunk.AsSpan(0, length), sealedChunk.AsSpan(length, TagSize), plain.AsSpan(0, length), header);
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
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedChunk);
            ArrayPool<byte>.Shared.Return(plain, clearArray: true);
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

    private static async Task<int> ReadFullAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], cancellationToken);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
