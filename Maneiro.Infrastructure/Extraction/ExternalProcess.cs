using System.Diagnostics;
using System.Globalization;

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
        var psi = new ProcessStartInfo(limits is null ? file : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        if (limits is not null)
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
