using System.Diagnostics;
using System.Globalization;

namespace Maneiro.Testing;

/// <summary>A Redis server of a test's own (real redis-server on a free port), for tests that stop Redis on purpose.</summary>
public sealed class ScratchRedis : IAppPart
{
    private readonly string _dir = Directory.CreateTempSubdirectory("maneiro-redis-").FullName;

    public int Port { get; } = TestServers.FreeTcpPort();

    public string Url => $"redis://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/0";

    /// <summary>As a part of a test app: the app uses this Redis instead of the shared one.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["REDIS_URL"] = Url };

    public async Task StartAsync()
    {
        await RunAsync("redis-server", "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", _dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always");
        await Eventually.TrueAsync(PingAsync, $"the scratch Redis on port {Port} answers", TimeSpan.FromSeconds(10));
    }

    public Task StopAsync() => RunAsync("redis-cli", "-p", Port.ToString(CultureInfo.InvariantCulture), "shutdown", "nosave");

    public async Task<bool> PingAsync()
    {
        try
        {
            return (await RunAsync("redis-cli", "-p", Port.ToString(CultureInfo.InvariantCulture), "ping")).Contains("PONG", StringComparison.Ordinal);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (await PingAsync())
        {
            await StopAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} exited with {process.ExitCode}");
    }
}
