using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace Maneiro.Infrastructure.Storage;

/// <summary>
/// Where plaintext copies of patient documents live while a tool reads them (OCR pages, audio for the probe, the S3
/// spool, decrypted blobs): one folder per process under one root, each file removed on every path by its user. A
/// process that died cannot clean up, so every host sweeps the folders of processes that are no longer running when it
/// starts.
/// </summary>
public static class ScratchSpace
{
    /// <summary>The root of every process's folder.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "maneiro-scratch");

    /// <summary>
    /// This process's folder: its id and a token of this run of it, so a sweep can tell a folder left by an earlier
    /// process that had the same id (stale) from this process's own (in use by every host it runs).
    /// </summary>
    public static string ProcessFolder { get; } = Path.Combine(Root, $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}");

    /// <summary>A new, empty folder of this process's, readable by this user only.</summary>
    public static DirectoryInfo NewFolder(string purpose)
    {
        var path = Path.Combine(ProcessFolder, $"{purpose}-{Guid.NewGuid():N}");
        return OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>A path for a new file in this process's folder.</summary>
    public static string NewFilePath(string purpose)
    {
        Directory.CreateDirectory(ProcessFolder);
        return Path.Combine(ProcessFolder, $"{purpose}-{Guid.NewGuid():N}.tmp");
    }

    /// <summary>
    /// Deletes the folders of processes that are not running, and one left under this process's id by an earlier
    /// process; never this process's own, which other hosts in it may be using. Returns how many.
    /// </summary>
    public static int SweepStale()
    {
        if (!Directory.Exists(Root))
        {
            return 0;
        }

        var swept = 0;
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            var name = Path.GetFileName(folder);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (!int.TryParse(dash < 0 ? name : name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || string.Equals(folder, ProcessFolder, StringComparison.Ordinal))
            {
                continue;
            }

            if (pid == Environment.ProcessId || !IsRunning(pid))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                    swept++;
                }
                catch (IOException)
                {
                    // Another host is sweeping the same folder.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to delete.
                }
            }
        }

        return swept;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Runs the sweep when a host starts, before it takes work.</summary>
    public sealed class StartupSweep : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            SweepStale();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
