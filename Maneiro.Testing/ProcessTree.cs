using System.Globalization;

namespace Maneiro.Testing;

/// <summary>Processes as Linux's /proc shows them: which children a process has running now.</summary>
public static class ProcessTree
{
    /// <summary>The live child processes of <paramref name="pid"/> (those its main thread started; /proc/PID/task/PID/children).</summary>
    public static List<int> ChildrenOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList();
}
