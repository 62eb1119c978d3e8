using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Maneiro.Infrastructure.Extraction;

/// <summary>
/// Long-lived <c>pdftext-server</c> processes (native/pdftext-server.cc): each has poppler loaded once and forks a
/// child per document, limited like a pdftotext run, that prints what <c>pdftotext -q -enc UTF-8 -l N - -</c> prints.
/// A pdftotext start costs more than parsing a short PDF (its libraries are bound at every start), so this is the
/// same parse without that cost. Given who uploaded the document, a server parses it in that person's warm worker
/// instead (no fork per document; only that person's documents share it). A server answers one document at a time;
/// callers hold a <see cref="CpuWork"/> slot, so there are at most as many servers as slots. A server that dies, answers nonsense or is abandoned by a cancelled
/// caller is killed (its child with it) and replaced on the next call.
/// </summary>
public sealed class PdfTextServers(IOptions<PdfToolOptions> options) : IDisposable
{
    private readonly ConcurrentBag<Server> _idle = [];
    private readonly ConcurrentDictionary<Server, byte> _all = new();
    private bool _disposed;

    private PdfToolOptions Options => options.Value;

    /// <summary>Whether a server is configured (<c>Pdf:TextServerPath</c>); without one, pdftotext runs per document.</summary>
    public bool Enabled => !string.IsNullOrEmpty(Options.TextServerPath);

    /// <summary>
    /// The text of pages 1 to <paramref name="lastPage"/>, as a pdftotext run's result: exit code 0 with the text, or
    /// the code pdftotext would give (1 cannot open, 3 copying not allowed); a parse killed by a signal (a crash, its
    /// memory or CPU limit) gives 128 + the signal. A parse over the time limit raises <see cref="ToolTimedOutException"/>.
    /// </summary>
    public Task<ProcessResult> ExtractAsync(byte[] pdf, int lastPage, CancellationToken cancellationToken) =>
        ExtractAsync(pdf, lastPage, uploader: null, cancellationToken);

    /// <summary>
    /// As <see cref="ExtractAsync(byte[], int, CancellationToken)"/>, parsed in the warm worker of
    /// <paramref name="uploader"/> (the person who sent these bytes, who holds every document that worker saw); null
    /// for a child of its own (a document from outside, or read again by a job).
    /// </summary>
    public async Task<ProcessResult> ExtractAsync(byte[] pdf, int lastPage, string? uploader, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var key = WorkerKey(uploader);
        for (var attempt = 1; ; attempt++)
        {
            var server = Take();
            (ProcessResult Result, bool OverTime) answer;
            try
            {
                answer = await server.AskAsync(pdf, lastPage, key, cancellationToken);
            }
            catch (Exception e) when (attempt == 1 && e is IOException or InvalidDataException)
            {
                // The server itself is gone (killed from outside, say): not the document's fault; once more on a new one.
                Retire(server);
                continue;
            }
            catch
            {
                // Cancelled mid-document, or gone twice: its state is unknown, so it goes (its child with it).
                Retire(server);
                throw;
            }

            // The server answered: it is fine whatever became of the document.
            _idle.Add(server);
            return answer.OverTime ? throw new ToolTimedOutException("pdftotext", Options.TimeLimit) : answer.Result;
        }
    }

    /// <summary>The key a server knows an uploader by (0, reserved for "a child of its own", is never one).</summary>
    private static ulong WorkerKey(string? uploader) =>
        uploader is null ? 0 : Math.Max(1, BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(uploader))));

    /// <summary>The server processes running now (idle or busy), for tests.</summary>
    internal IReadOnlyCollection<int> ProcessIds => _all.Keys.Select(s => s.ProcessId).ToList();

    private Server Take()
    {
        if (_idle.TryTake(out var server))
        {
            return server;
        }

        // A request still in flight when the pool is disposed fails rather than starting a server nobody will end.
        ObjectDisposedException.ThrowIf(_disposed, this);
        var started = Server.Start(Options);
        _all[started] = 0;
        return started;
    }

    private void Retire(Server server)
    {
        _all.TryRemove(server, out _);
        server.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var server in _all.Keys)
        {
            Retire(server);
        }
    }

    private sealed class Server : IDisposable
    {
        private readonly Process _process;

        private Server(Process process) => _process = process;

        public int ProcessId => _process.Id;

        public static Server Start(PdfToolOptions options)
        {
            var psi = new ProcessStartInfo(options.TextServerPath!)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            foreach (var argument in new long[] { options.Limits.AddressSpaceBytes, options.Limits.CpuSeconds, (long)options.TimeLimit.TotalMilliseconds, options.WorkersPerServer, options.DocumentsPerWorker, (long)options.WorkerIdleTime.TotalMilliseconds })
            {
                psi.ArgumentList.Add(argument.ToString(CultureInfo.InvariantCulture));
            }

            return new Server(Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {options.TextServerPath}."));
        }

        public async Task<(ProcessResult Result, bool OverTime)> AskAsync(byte[] pdf, int lastPage, ulong workerKey, CancellationToken cancellationToken)
        {
            var header = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)pdf.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)lastPage);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), workerKey);
            var input = _process.StandardInput.BaseStream;
            await input.WriteAsync(header, cancellationToken);
            await input.WriteAsync(pdf, cancellationToken);
            await input.FlushAsync(cancellationToken);

            // The server enforces the time limit on its child and always answers; a cancelled caller abandons the
            // server (the catch in ExtractAsync kills it, and the child with it).
            var output = _process.StandardOutput.BaseStream;
            var answer = new byte[12];
            await output.ReadExactlyAsync(answer, cancellationToken);
            var kind = BinaryPrimitives.ReadUInt32LittleEndian(answer);
            var code = BinaryPrimitives.ReadInt32LittleEndian(answer.AsSpan(4));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(answer.AsSpan(8));
            if (kind > 2 || length > int.MaxValue)
            {
                throw new InvalidDataException("pdftext-server answered out of protocol.");
            }

            var text = new byte[length];
            await output.ReadExactlyAsync(text, cancellationToken);
            // Killed by a signal: 128 + the signal, as a shell reports it. Over the time limit: the server killed it.
            var exitCode = kind == 1 ? 128 + code : code;
            return (new ProcessResult(exitCode, System.Text.Encoding.UTF8.GetString(text), ""), kind == 2);
        }

        public void Dispose()
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            _process.Dispose();
        }
    }
}
