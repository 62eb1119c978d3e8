namespace Maneiro.Web.Jobs;

public sealed class UploadTooLargeException : Exception;

/// <summary>
/// Counts bytes read through it and stops the copy once the limit is passed, so oversize uploads are never stored
/// whole; hashes them on the way (SHA-256, kept in memory only) so a repeated document can be recognised.
/// </summary>
public sealed class CountingStream(Stream inner, long limit) : Stream
{
    private readonly System.Security.Cryptography.IncrementalHash _sha256 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

    public long Count { get; private set; }

    private byte[]? _final;

    /// <summary>The SHA-256 of the whole stream, once it has been read to its end (the store may dispose the stream then).</summary>
    public byte[] Sha256() => _final ?? throw new InvalidOperationException("The stream was not read to its end.");

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Count += n;
        _sha256.AppendData(buffer.Span[..n]);
        if (n == 0 && buffer.Length > 0)
        {
            _final ??= _sha256.GetHashAndReset();
        }

        return Count > limit ? throw new UploadTooLargeException() : n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The sniffed header bytes followed by the rest of the body.</summary>
public sealed class ConcatStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
{
    private int _headPosition;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_headPosition < head.Length)
        {
            var n = Math.Min(buffer.Length, head.Length - _headPosition);
            head.Slice(_headPosition, n).CopyTo(buffer);
            _headPosition += n;
            return n;
        }

        return await rest.ReadAsync(buffer, cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
