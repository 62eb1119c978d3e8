using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Maneiro.Bench;

// Runs the six benchmarks of the cluster issue and two of hardening (letter PDFs, PDF parsing in child processes), prints a table and appends it, with the machine, to bench/RESULTS.md.
// "--quick" uses smaller counts (a smoke run); "--only N,M" runs some of them.
var quick = args.Contains("--quick");
// "--repeat N" runs the two-silo throughput benchmark N times (fresh silos and database each time) and reports the series.
var repeat = int.Parse(args.SkipWhile(a => a != "--repeat").Skip(1).FirstOrDefault() ?? "1", CultureInfo.InvariantCulture);

// The in-process web hosts take SIGTERM for themselves (they stop, the process waits for Main): a run stuck waiting
// would ignore it. Here SIGTERM ends the whole run, silo processes included.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ =>
{
    Console.Error.WriteLine("SIGTERM: stopping the benchmark and its silo processes.");
    System.Diagnostics.Process.GetCurrentProcess().Kill(entireProcessTree: true);
});
// "--pairs N" runs 1c: co-hosted and two-silo throughput back to back, N pairs.
var pairs = int.Parse(args.SkipWhile(a => a != "--pairs").Skip(1).FirstOrDefault() ?? "5", CultureInfo.InvariantCulture);
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',').ToHashSet();
bool Wanted(string n) => only is null || only.Contains(n);

var rows = new List<Row>();
async Task Run(string number, Func<Task<IEnumerable<Row>>> benchmark)
{
    if (!Wanted(number))
    {
        return;
    }

    Console.WriteLine($"Running benchmark {number}…");
    try
    {
        rows.AddRange(await benchmark());
    }
    catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
    {
        rows.Add(new Row(number, "", "FAILED", ex.Message.ReplaceLineEndings(" ")));
    }
}

await Run("1", () => Benchmarks.CohostedAsync(quick ? 40 : 200, quick ? 100 : 500));
await Run("1b", () => repeat > 1 ? Benchmarks.TwoSiloSeriesAsync(quick ? 40 : 200, repeat) : Benchmarks.TwoSilosAsync(quick ? 40 : 200));
if (only?.Contains("1c") == true)
{
    // Only on request: ten fresh clusters take several minutes.
    await Run("1c", () => Benchmarks.PairedAsync(quick ? 40 : 600, pairs));
}

await Run("4", Benchmarks.OcrAsync);
await Run("5", () => Benchmarks.WebhooksAsync(quick ? 100 : 500));
await Run("6", () => Benchmarks.MemoryAsync(quick ? 2_000 : 10_000, quick ? 200 : 1_000));
await Run("7", Benchmarks.LetterPdfAsync);
await Run("8", () => Benchmarks.PdfProcessesAsync(quick ? 20 : 100));
await Run("9", Benchmarks.Icd10Async);
await Run("10", () => Benchmarks.RepeatUploadAsync(quick ? 20 : 100));
await Run("11", () => Benchmarks.WorkPerAnalysisAsync(quick ? 20 : 100));
await Run("12", () => Benchmarks.FhirExportAsync(quick ? 20 : 200));
await Run("13", Benchmarks.AccountStateAsync);

var table = new StringBuilder()
    .AppendLine("| benchmark | mode | result | details |")
    .AppendLine("| --- | --- | --- | --- |");
foreach (var row in rows.OrderBy(r => r.Benchmark, StringComparer.Ordinal))
{
    table.AppendLine(CultureInfo.InvariantCulture, $"| {row.Benchmark} | {row.Mode} | {row.Result} | {row.Details} |");
}

Console.WriteLine();
Console.Write(table);

var root = Maneiro.Testing.TestServers.RepositoryRoot;
var commit = Environment.GetEnvironmentVariable("BENCH_COMMIT") ?? "unknown";
var results = new StringBuilder()
    .AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"## {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC · commit {commit}{(quick ? " · quick run" : "")}")
    .AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}")
    .AppendLine()
    .Append(table);
await File.AppendAllTextAsync(Path.Combine(root, "bench", "RESULTS.md"), results.ToString());
Console.WriteLine($"Appended to {Path.Combine(root, "bench", "RESULTS.md")}");
return rows.Any(r => r.Result == "FAILED") ? 1 : 0;

static string Machine()
{
    static string? Field(string file, string key) => File.Exists(file)
        ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        : null;
    var os = File.Exists("/etc/os-release") ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') : null;
    return $"{Environment.ProcessorCount} cores ({Field("/proc/cpuinfo", "model name") ?? "unknown CPU"}), {Field("/proc/meminfo", "MemTotal") ?? "?"} RAM, {os ?? RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
}
