using System.Collections.Concurrent;
using System.Diagnostics;

namespace Maneiro.Testing;

/// <summary>A built Maneiro binary (silo or web) run as a real child process, as in production.</summary>
public sealed class ManeiroProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyLine;
    private TextWriter? _log;

    private ManeiroProcess(Process process, string readyLine)
    {
        _process = process;
        _readyLine = readyLine;
    }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>
    /// The environment a pipeline-capable silo needs in tests: the real PostgreSQL and Redis, the fake model and
    /// PubMed, a blob folder, a cluster id and its own ports.
    /// </summary>
    public static Dictionary<string, string> SiloEnvironment(string databaseUrl, string blobRoot, string clusterId, Uri openAiEndpoint, Uri pubMedBaseUrl, int siloPort, int gatewayPort) => new()
    {
        ["DATABASE_URL"] = databaseUrl,
        ["REDIS_URL"] = TestServers.RedisUrl,
        ["SECRET_KEY"] = TestServers.SecretKey,
        ["Storage__LocalPath"] = blobRoot,
        ["OPENAI_API_KEY"] = "sk-test",
        ["OpenAI__Endpoint"] = openAiEndpoint.ToString(),
        ["Ncbi__BaseUrl"] = pubMedBaseUrl.ToString(),
        ["Pdf__TextServerPath"] = TestServers.PdfTextServerPath,
        ["Orleans__ClusterId"] = clusterId,
        ["Orleans__ServiceId"] = TestServers.ServiceIdFor(databaseUrl),
        ["Orleans__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static ManeiroProcess StartSilo(IDictionary<string, string> environment) =>
        Start("Maneiro.Silo", environment, [], "Maneiro silo started");

    public static ManeiroProcess Start(string project, IDictionary<string, string> environment, IEnumerable<string> args, string readyLine)
    {
        var dll = Path.Combine(TestServers.RepositoryRoot, project, "bin", BuildConfiguration, "net10.0", project + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; ./test builds the whole solution first.");
        }

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var wrapper = new ManeiroProcess(process, readyLine);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // Let the output readers reach the end first, so the message includes everything the process said.
            process.WaitForExit();
            wrapper._ready.TrySetException(new InvalidOperationException($"{project} exited before it was ready:\n{wrapper.Output}"));
        };
        process.Start();
        // MANEIRO_PROCESS_LOGS=<folder> keeps each child's output in <folder>/<project>-<pid>.log, for investigating a run.
        if (Environment.GetEnvironmentVariable("MANEIRO_PROCESS_LOGS") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            wrapper._log = TextWriter.Synchronized(new StreamWriter(Path.Combine(logs, $"{project}-{process.Id}.log")) { AutoFlush = true });
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Process not ready after {timeout}:\n{Output}");
        }
    }

    /// <summary>Waits for a command-style run to finish and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no graceful shutdown, as when a machine dies.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first so the silo leaves the cluster cleanly.
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        _log?.WriteLine(line);
        if (line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif
}
