namespace Maneiro.Infrastructure.Hosting;

/// <summary>What the web and the silo add to their command line before building their host.</summary>
public static class HostArguments
{
    /// <summary>The host setting that makes the default appsettings sources watch their files for changes.</summary>
    public const string ReloadConfigOnChange = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// <paramref name="args"/> with configuration files no longer watched (an operator's own argument still wins: it
    /// comes later). Settings come from the environment and Parameter Store and are read at start; nothing edits an
    /// appsettings file under a running process. A watch costs an inotify instance per file provider (128 per user by
    /// default on a node) and, being recursive over the content root, a wakeup for every write beneath it: for a
    /// process started in a checkout, PostgreSQL's data directory under <c>.local/</c> included.
    /// </summary>
    public static string[] WithoutConfigWatching(string[] args) => [$"--{ReloadConfigOnChange}=false", .. args];
}
