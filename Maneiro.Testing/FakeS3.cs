using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Maneiro.Testing;

/// <summary>A path-style S3 endpoint on loopback: PUT, GET, HEAD and DELETE of objects, including aws-chunked uploads.</summary>
public sealed class FakeS3 : IAsyncDisposable
{
    private FakeHttpServer _server = null!;

    public ConcurrentDictionary<string, byte[]> Objects { get; } = new();

    public ConcurrentDictionary<string, string> Encryption { get; } = new();

    public Uri Endpoint => _server.BaseAddress;

    private readonly object _gate = new();
    private TaskCompletionSource? _holdDeletes;
    private int _heldDeletes;

    /// <summary>Closes the gate on DELETE: each one from now on waits until <see cref="ReleaseDeletes"/>.</summary>
    public void HoldDeletes()
    {
        lock (_gate)
        {
            _holdDeletes ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseDeletes()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            (hold, _holdDeletes) = (_holdDeletes, null);
        }

        hold?.TrySetResult();
    }

    public Task WaitUntilDeleteHeldAsync() => Eventually.TrueAsync(() => Volatile.Read(ref _heldDeletes) > 0, "a DELETE reached the held store");

    public static async Task<FakeS3> StartAsync()
    {
        var fake = new FakeS3();
        fake._server = await FakeHttpServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public ValueTask DisposeAsync()
    {
        ReleaseDeletes();
        return _server.DisposeAsync();
    }

    private async Task HandleAsync(RecordedRequest request, HttpResponse response)
    {
        var path = Uri.UnescapeDataString(request.PathAndQuery.Split('?')[0].TrimStart('/'));
        if (request.Header("Authorization") is not { } auth || !auth.StartsWith("AWS4-HMAC-SHA256", StringComparison.Ordinal))
        {
            response.StatusCode = 403;
            return;
        }

        switch (request.Method)
        {
            case "PUT":
                Objects[path] = Decode(request);
                Encryption[path] = request.Header("x-amz-server-side-encryption") ?? "";
                response.Headers.ETag = ETag(Objects[path]);
                return;
            case "GET" or "HEAD" when Objects.TryGetValue(path, out var data):
                response.ContentType = "application/octet-stream";
                response.ContentLength = data.Length;
                response.Headers.ETag = ETag(data);
                response.Headers.LastModified = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);
                if (request.Method == "GET")
                {
                    await response.Body.WriteAsync(data);
                }

                return;
            case "GET" or "HEAD":
                response.StatusCode = 404;
                if (request.Method == "GET")
                {
                    response.ContentType = "application/xml";
                    await response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
                }

                return;
            case "DELETE":
                Task? wait;
                lock (_gate)
                {
                    wait = _holdDeletes?.Task;
                }

                if (wait is not null)
                {
                    Interlocked.Increment(ref _heldDeletes);
                    try
                    {
                        await wait;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _heldDeletes);
                    }
                }

                Objects.TryRemove(path, out _);
                response.StatusCode = 204;
                return;
            default:
                response.StatusCode = 405;
                return;
        }
    }

    /// <summary>As S3 does for single-part objects: the MD5 of the content, which the SDK checks.</summary>
#pragma warning disable CA5351
    private static string ETag(byte[] data) => "\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data)) + "\"";
#pragma warning restore CA5351

    /// <summary>Undoes aws-chunked content encoding ("size;chunk-signature=…\r\ndata\r\n… 0\r\ntrailers").</summary>
    private static byte[] Decode(RecordedRequest request)
    {
        var chunked = (request.Header("Content-Encoding") ?? "").Contains("aws-chunked", StringComparison.Ordinal)
            || (request.Header("x-amz-content-sha256") ?? "").StartsWith("STREAMING", StringComparison.Ordinal);
        if (!chunked)
        {
            return request.BodyBytes;
        }

        var body = request.BodyBytes;
        var output = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = IndexOf(body, position);
            var header = Encoding.ASCII.GetString(body, position, lineEnd - position);
            var size = int.Parse(header.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            position = lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            output.Write(body, position, size);
            position += size + 2;
        }

        return output.ToArray();
    }

    private static int IndexOf(byte[] data, int start)
    {
        for (var i = start; i < data.Length - 1; i++)
        {
            if (data[i] == '\r' && data[i + 1] == '\n')
            {
                return i;
            }
        }

        return data.Length;
    }
}
