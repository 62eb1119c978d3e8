using System.Diagnostics;
using System.Globalization;

namespace Maneiro.Testing;

/// <summary>A PostgreSQL server of a test's own (real initdb/pg_ctl on a free port), for tests that stop the database on purpose.</summary>
public sealed class ScratchPostgres : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "maneiro-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private static readonly string Bin = Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => d, StringComparer.Ordinal).Last() + "/bin";

    public int Port { get; } = TestServers.FreeTcpPort();

    public string Url(string database) => $"postgresql://postgres@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/{database}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres:postgres", _dir);
        }

        await AsPostgresAsync(Path.Combine(Bin, "initdb"), "-D", _dir, "-A", "trust", "-U", "postgres", "--no-sync");
        await StartAsync();
    }

    public Task StartAsync() => AsPostgresAsync(Path.Combine(Bin, "pg_ctl"), "-D", _dir, "-l", Path.Combine(_dir, "log"), "-w", "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    public Task StopAsync() => AsPostgresAsync(Path.Combine(Bin, "pg_ctl"), "-D", _dir, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_dir, true);
    }

    private static Task AsPostgresAsync(string file, params string[] args) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", file, .. args]) : RunAsync(file, args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr}");
        }
    }
}
