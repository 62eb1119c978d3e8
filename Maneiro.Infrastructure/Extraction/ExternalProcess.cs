using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Maneiro.Infrastructure.Extraction;

/// <summary>A finished tool's exit code (128 + the signal when a signal ended it) and its output.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Kernel limits a child is started under (<c>prlimit</c>): its address space and its CPU seconds.</summary>
public sealed record ProcessLimits(long AddressSpaceBytes, int CpuSeconds);

/// <summary>
/// Runs a tool with an argument list (never through a shell), time-limited, and killed on cancel. A tool that runs
/// out its time raises <see cref="ToolTimedOutException"/>: final for the document, never retried.
/// </summary>
public static class ExternalProcess
{
    public static async Task<ProcessResult> RunAsync(
        string file,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        IDictionary<string, string>? environment = null,
        ProcessLimits? limits = null,
        ReadOnlyMemory<byte>? standardInput = null)
    {
        // A tool that reads its document from standard input has nothing to parse until we write it, so its limits can
        // be set on it after it starts and before the first byte: one exec instead of two (prlimit's, then the tool's).
        var limitAfterStart = limits is not null && standardInput is not null && OperatingSystem.IsLinux();
        var psi = new ProcessStartInfo(limits is null || limitAfterStart ? file : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        if (limits is not null && !limitAfterStart)
        {
            // prlimit sets the limits and then execs the tool: the tool is our direct child and a crash is only its own.
            psi.ArgumentList.Add("--as=" + limits.AddressSpaceBytes.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add("--cpu=" + limits.CpuSeconds.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add("--core=0");
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }

        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        if (limitAfterStart)
        {
            Limit(process, limits!);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        var stdin = standardInput is { } input ? WriteAllAsync(process, input, cts.Token) : Task.CompletedTask;
        try
        {
            await process.WaitForExitAsync(cts.Token);
            await stdin;
            return new ProcessResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new ToolTimedOutException(Path.GetFileName(file), timeout);
        }
    }

    /// <summary>
    /// Sets the limits on a started child (the prlimit system call): address space, CPU seconds, no core file. A child
    /// that cannot be limited is killed before it is given anything to read.
    /// </summary>
    private static void Limit(Process process, ProcessLimits limits)
    {
        ReadOnlySpan<(int Resource, ulong Value)> wanted =
        [
            (AddressSpaceResource, (ulong)limits.AddressSpaceBytes),
            (CpuSecondsResource, (ulong)limits.CpuSeconds),
            (CoreFileResource, 0),
        ];
        foreach (var (resource, value) in wanted)
        {
            var limit = new ResourceLimit { Current = value, Maximum = value };
            if (SetResourceLimit(process.Id, resource, ref limit, IntPtr.Zero) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == NoSuchProcess)
                {
                    // It has already exited (it never read its input): its exit code says why.
                    return;
                }

                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"Could not limit {Path.GetFileName(process.StartInfo.FileName)} (errno {error}).");
            }
        }
    }

    // Linux resource numbers (the same on x86-64 and arm64).
    private const int CpuSecondsResource = 0;
    private const int CoreFileResource = 4;
    private const int AddressSpaceResource = 9;
    private const int NoSuchProcess = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "prlimit", SetLastError = true)]
    private static extern int SetResourceLimit(int pid, int resource, ref ResourceLimit newLimit, IntPtr oldLimit);

    private static async Task WriteAllAsync(Process process, ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken);
            await process.StandardInput.BaseStream.FlushAsync(cancellationToken);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The tool stopped reading (it exited or crashed); its exit code says what happened.
        }
    }
}
