namespace Maneiro.Testing;

/// <summary>The inotify watches a process holds (Linux: one "inotify wd:" line per watched directory in its fd info).</summary>
public static class FileWatches
{
    public static int Count(int processId)
    {
        var watches = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd"))
        {
            if (new FileInfo(fd).LinkTarget == "anon_inode:inotify")
            {
                watches += File.ReadLines($"/proc/{processId}/fdinfo/{Path.GetFileName(fd)}").Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
        }

        return watches;
    }
}
