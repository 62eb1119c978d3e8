using System.Globalization;

namespace Maneiro.Bench;

/// <summary>
/// CPU time per process group from /proc (user + system, and the reaped children of each process: the pdftotext and
/// pdfinfo runs), so a run can say which process spent the machine's time. Linux only; 100 ticks per second.
/// Also the minor page faults of each process and its reaped children: on this machine's VM a fault on a fresh page
/// costs about 10 µs when the host has taken back the guest's free memory, so they explain much of its slow phases.
/// </summary>
public sealed record CpuSnapshot(IReadOnlyDictionary<int, (string Name, double Own, double Children, long Faults, long ChildFaults)> Processes, double Idle)
{
    private const double TicksPerSecond = 100;

    public static CpuSnapshot Take()
    {
        var processes = new Dictionary<int, (string, double, double, long, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                double Field(int number) => double.Parse(fields[number - 3], CultureInfo.InvariantCulture) / TicksPerSecond;
                long Count(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
                processes[pid] = (name, Field(14) + Field(15), Field(16) + Field(17), Count(10), Count(11));
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        // The machine's idle seconds (all cores), the first line of /proc/stat: "cpu user nice system idle iowait ...".
        var total = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var idle = (double.Parse(total[4], CultureInfo.InvariantCulture) + double.Parse(total[5], CultureInfo.InvariantCulture)) / TicksPerSecond;
        return new CpuSnapshot(processes, idle);
    }

    /// <summary>Idle seconds of all cores together since <paramref name="before"/>.</summary>
    public double IdleSince(CpuSnapshot before) => Idle - before.Idle;

    /// <summary>Seconds of CPU since <paramref name="before"/> for the given processes (own time and their children's).</summary>
    public (double Own, double Children) Since(CpuSnapshot before, Func<int, string, bool> which) =>
        SumSince(before, which, p => (p.Own, p.Children));

    /// <summary>Minor page faults since <paramref name="before"/> for the given processes (own and their reaped children's).</summary>
    public (long Own, long Children) FaultsSince(CpuSnapshot before, Func<int, string, bool> which) =>
        SumSince(before, which, p => (p.Faults, p.ChildFaults)) is var (own, children) ? ((long)own, (long)children) : default;

    /// <summary>A counter pair summed over the given processes, from their values in <paramref name="before"/> (zero for a process started since).</summary>
    private (double Own, double Children) SumSince(CpuSnapshot before, Func<int, string, bool> which, Func<(string Name, double Own, double Children, long Faults, long ChildFaults), (double, double)> counters)
    {
        double own = 0, children = 0;
        foreach (var (pid, now) in Processes)
        {
            if (!which(pid, now.Name))
            {
                continue;
            }

            var (o, c) = counters(now);
            var (o0, c0) = before.Processes.TryGetValue(pid, out var earlier) && earlier.Name == now.Name ? counters(earlier) : (0, 0);
            own += o - o0;
            children += c - c0;
        }

        return (own, children);
    }
}

/// <summary>This process's JIT work so far: methods compiled and the time spent compiling them.</summary>
public readonly record struct JitSnapshot(long Methods, TimeSpan Time)
{
    public static JitSnapshot Take() =>
        new(System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());

    /// <summary>What was compiled since <paramref name="earlier"/>, as the rows print it.</summary>
    public string Since(JitSnapshot earlier) =>
        string.Create(CultureInfo.InvariantCulture, $"{Methods - earlier.Methods} methods compiled by the JIT meanwhile ({(Time - earlier.Time).TotalMilliseconds:0} ms)");
}
