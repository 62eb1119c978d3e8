using Maneiro.Grains.Services;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Bench;

public sealed record Row(string Benchmark, string Mode, string Result, string Details);

/// <summary>The web app with the plan limits lifted, so a benchmark measures the pipeline, not the Free tier.</summary>
public sealed class BenchJobsApp : ManeiroApp
{
    public static readonly Dictionary<string, string?> Unlimited = new()
    {
        ["Usage:Limits:Free:Analyses"] = "100000000",
        ["Usage:Limits:Free:OcrPages"] = "100000000",
        ["Usage:Limits:Free:Letters"] = "100000000",
        ["Security:RateLimits:UploadsPerUserPerMinute"] = "100000000",
    };

    /// <summary>
    /// Settings the tests' base app changes from a deployment's, put back: the tests check the security stamp on every
    /// request (their sign-out tests need it at once); a deployment checks it at <see cref="Maneiro.Web.Security.SecurityOptions"/>'
    /// interval, so an upload does not reload its user, claims and roles and reissue the cookie each time.
    /// </summary>
    public static readonly Dictionary<string, string?> AsDeployed = new()
    {
        ["Security:SecurityStampValidationInterval"] = new Maneiro.Web.Security.SecurityOptions().SecurityStampValidationInterval.ToString("c", CultureInfo.InvariantCulture),
    };

    /// <param name="recordSpans">Records spans as an exporting deployment does: the span counts (row 11, <c>BENCH_SPANS</c>) read their names.</param>
    public BenchJobsApp(bool recordSpans = false)
        : base(b => b.WithFakeModel().With(Unlimited).With(AsDeployed).With(Maneiro.Infrastructure.Observability.TelemetryExtensions.RecordSpansKey, recordSpans ? "true" : "false"))
    {
    }
}

public static class Benchmarks
{
    private static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>CPU seconds of a run as milliseconds per analysis: the processes' own, and their child processes'.</summary>
    private static string PerJob((double Own, double Children) seconds, int jobs) =>
        $"{F(1000 * seconds.Own / jobs, "0.0")} ms (+{F(1000 * seconds.Children / jobs, "0.0")} ms in child processes)";

    /// <summary>Minor page faults per analysis of the co-hosted run's process groups (own, and reaped children's).</summary>
    private static string FaultsPerJob(CpuSnapshot after, CpuSnapshot before, int jobs)
    {
        string Of(Func<int, string, bool> which) =>
            after.FaultsSince(before, which) is var (own, children) ? $"{F(own / (double)jobs, "0")} (+{F(children / (double)jobs, "0")})" : "";
        return $"page faults per analysis: app and load generator {Of((pid, _) => pid == Environment.ProcessId)}, PDF text servers {Of((_, name) => name == "pdftext-server")}, PostgreSQL {Of((_, name) => name == "postgres")}";
    }

    /// <summary>The newest audit row's id: where a run's audit rows start.</summary>
    private static Task<long> AuditMarkAsync(TestDatabase database) => database.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM audit_log");

    /// <summary>
    /// The audit rows written since <paramref name="mark"/> per analysis, and the transactions they took (rows of one
    /// transaction share its xmin): each process groups the appends waiting for the one chain lock into a transaction.
    /// </summary>
    private static async Task<string> AuditGroupingAsync(TestDatabase database, long mark, int jobs)
    {
        var rows = await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE id > {mark}");
        var transactions = await database.ScalarAsync<long>($"SELECT count(DISTINCT xmin::text) FROM audit_log WHERE id > {mark}");
        return $"{F(rows / (double)jobs)} audit rows per analysis written in {F(transactions / (double)jobs)} transactions under the chain lock";
    }

    /// <summary>
    /// Analyses run before a throughput measurement, 16 in flight as in the run: enough that both silos of a two-silo
    /// run have been through every stage (each method is compiled on its first call; see Directory.Build.props).
    /// </summary>
    private const int WarmUpJobs = 32;

    private static int Rounds => int.Parse(Environment.GetEnvironmentVariable("BENCH_ROUNDS") ?? "1", CultureInfo.InvariantCulture);

    /// <summary>1 and 3: analyses per second, co-hosted, with an instant model; push latency from the same run.</summary>
    public static async Task<IEnumerable<Row>> CohostedAsync(int jobs, int concurrentJobs, bool throughputOnly = false)
    {
        await using var app = new BenchJobsApp(recordSpans: Environment.GetEnvironmentVariable("BENCH_SPANS") == "1");
        await app.InitializeAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        await using var load = await JobLoad.StartAsync(app, users: 4);
        await load.RunAsync(WarmUpJobs, parallel: 16, TimeSpan.FromMinutes(2));

        LoadResult run;
        string cpuLine;
        // BENCH_ROUNDS=N: N-1 rounds of the same run before the measured one, each printed, to see whether the process
        // has settled (its JIT work and CPU per analysis from round to round).
        for (var round = 1; round < Rounds; round++)
        {
            var (jitBefore, before) = (JitSnapshot.Take(), CpuSnapshot.Take());
            var warm = await load.RunAsync(jobs, parallel: 16, TimeSpan.FromMinutes(10));
            var cpu = CpuSnapshot.Take();
            Console.WriteLine($"  round {round}: {F(warm.Jobs / warm.Elapsed.TotalSeconds)} analyses/s, CPU per analysis: app and load generator {PerJob(cpu.Since(before, (pid, _) => pid == Environment.ProcessId), jobs)}, PostgreSQL {PerJob(cpu.Since(before, (_, name) => name == "postgres"), jobs)}; {JitSnapshot.Take().Since(jitBefore)}");
        }

        using (var spans = Environment.GetEnvironmentVariable("BENCH_SPANS") == "1" ? new SpanBreakdown() : null)
        using (var allocations = Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null)
        {
            var jitBefore = JitSnapshot.Take();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var auditMark = await AuditMarkAsync(app.Database);
            var cpuBefore = CpuSnapshot.Take();
            run = await load.RunAsync(jobs, parallel: 16, TimeSpan.FromMinutes(10));
            var cpu = CpuSnapshot.Take();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Console.WriteLine($"  {run.Phases}");
            cpuLine = $"CPU per analysis: app and load generator {PerJob(cpu.Since(cpuBefore, (pid, _) => pid == Environment.ProcessId), jobs)}, PDF text servers {PerJob(cpu.Since(cpuBefore, (_, name) => name == "pdftext-server"), jobs)}, PostgreSQL {PerJob(cpu.Since(cpuBefore, (_, name) => name == "postgres"), jobs)}, Redis {PerJob(cpu.Since(cpuBefore, (_, name) => name.StartsWith("redis", StringComparison.Ordinal)), jobs)}; machine busy {F(100 * (1 - cpu.IdleSince(cpuBefore) / (run.Elapsed.TotalSeconds * Environment.ProcessorCount)), "0")} %; {await AuditGroupingAsync(app.Database, auditMark, jobs)}; app and load generator allocated {F(allocated / 1024.0 / jobs, "0")} KB per analysis; {FaultsPerJob(cpu, cpuBefore, jobs)}; {JitSnapshot.Take().Since(jitBefore)}";
            Console.WriteLine($"  {cpuLine}");
            if (spans is not null)
            {
                Console.WriteLine("  " + spans.UploadReport());
            }

            if (allocations is not null)
            {
                Console.WriteLine("  " + allocations.Report(jobs));
            }
        }

        var rows = new List<Row>
        {
            new("1. Throughput", "co-hosted", $"{F(run.Jobs / run.Elapsed.TotalSeconds)} analyses/s", $"{run.Jobs} two-page PDFs over HTTP, 16 in flight, instant fake LLM, {F(run.Elapsed.TotalSeconds)} s, {run.Failed} failed; {cpuLine}"),
        };
        if (throughputOnly)
        {
            return rows;
        }

        // 3: push latency at a fixed load of half the throughput just measured, every stage event of every job counted
        // (each client joined its user's channel before submitting anything).
        var rate = run.Jobs / run.Elapsed.TotalSeconds / 2;
        var paced = await load.RunPacedAsync(Math.Max(20, (int)(rate * 20)), rate, TimeSpan.FromMinutes(10));
        rows.Add(new("3. Push latency", "co-hosted", $"p50 {F(Percentile(paced.PushLatenciesMs, 0.5), "0.00")} ms · p99 {F(Percentile(paced.PushLatenciesMs, 0.99), "0.00")} ms", $"{paced.PushLatenciesMs.Count} stage events of {paced.Jobs} jobs ({F(paced.PushLatenciesMs.Count / (double)paced.Jobs)} per job, all published stages), paced at {F(rate)} analyses/s (half of row 1), grain publish → SignalR client, same machine clock, {paced.Failed} failed"));

        // 2: many analyses at once against a slow model: the actor design should overlap the waits.
        app.OpenAi.ChatDelay = TimeSpan.FromSeconds(3);
        await using var wide = await JobLoad.StartAsync(app, users: 10);
        Console.WriteLine($"  burst: {concurrentJobs} submitted at once");
        var burstBefore = CpuSnapshot.Take();
        var burst = await wide.RunAsync(concurrentJobs, parallel: concurrentJobs, TimeSpan.FromMinutes(15));
        var burstCpu = CpuSnapshot.Take();
        var burstCpuLine = $"CPU per analysis: app and load generator {PerJob(burstCpu.Since(burstBefore, (pid, _) => pid == Environment.ProcessId), concurrentJobs)}, PDF text servers {PerJob(burstCpu.Since(burstBefore, (_, name) => name == "pdftext-server"), concurrentJobs)}, PostgreSQL {PerJob(burstCpu.Since(burstBefore, (_, name) => name == "postgres"), concurrentJobs)}; machine busy {F(100 * (1 - burstCpu.IdleSince(burstBefore) / (burst.Elapsed.TotalSeconds * Environment.ProcessorCount)), "0")} %";
        rows.Add(new("2. Concurrency", "co-hosted", $"{F(burst.Elapsed.TotalSeconds)} s for {burst.Jobs} ({F(burst.Elapsed.TotalSeconds / 3)}× the 3 s model latency)", $"{burst.Jobs} submitted at once, fake LLM answers after 3 s, {burst.Failed} failed; {burst.Phases}; {burstCpuLine}"));
        return rows;
    }

    /// <summary>1 again with two standalone silo processes and a client-mode web, as in docker-compose.</summary>
    public static async Task<IEnumerable<Row>> TwoSilosAsync(int jobs)
    {
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var pubMed = await FakeEutils.StartAsync();
        openAi.Answer(JobsApp.ModelAnswer());
        var database = new TestDatabase();
        await database.InitializeAsync();
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var blobRoot = Directory.CreateTempSubdirectory("maneiro-bench-blobs-").FullName;
        var silos = new List<ManeiroProcess>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var environment = ManeiroProcess.SiloEnvironment(database.Url, blobRoot, clusterId, openAi.Endpoint, pubMed.BaseUrl, TestServers.FreeTcpPort(), TestServers.FreeTcpPort());
                foreach (var (key, value) in BenchJobsApp.Unlimited)
                {
                    environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
                }

                var silo = ManeiroProcess.StartSilo(environment);
                silos.Add(silo);
                await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
                Console.WriteLine($"  silo {i + 1} ready");
            }

            var web = new ClientModeWebApp(database, blobRoot, clusterId);
            await web.StartAsync();
            Console.WriteLine("  client-mode web ready");
            try
            {
                await using var load = await JobLoad.StartAsync(web, users: 4);
                Console.WriteLine("  users signed in");
                LoadResult run;
                var cpuLine = "";
                try
                {
                    await load.RunAsync(WarmUpJobs, parallel: 16, TimeSpan.FromMinutes(1));
                    var siloPids = silos.Select(s => s.ProcessId).ToHashSet();

                    // BENCH_ROUNDS=N, as for the co-hosted run: N-1 printed rounds in the same silos first.
                    for (var round = 1; round < Rounds; round++)
                    {
                        var before = CpuSnapshot.Take();
                        var warm = await load.RunAsync(jobs, parallel: 16, TimeSpan.FromMinutes(10));
                        var after = CpuSnapshot.Take();
                        Console.WriteLine($"  round {round}: {F(warm.Jobs / warm.Elapsed.TotalSeconds)} analyses/s, CPU per analysis: web and load generator {PerJob(after.Since(before, (pid, _) => pid == Environment.ProcessId), jobs)}, silos {PerJob(after.Since(before, (pid, _) => siloPids.Contains(pid)), jobs)}, PostgreSQL {PerJob(after.Since(before, (_, name) => name == "postgres"), jobs)}");
                    }

                    var auditMark = await AuditMarkAsync(database);
                    var cpuBefore = CpuSnapshot.Take();
                    run = await load.RunAsync(jobs, parallel: 16, TimeSpan.FromMinutes(10));
                    var cpu = CpuSnapshot.Take();
                    Console.WriteLine($"  {run.Phases}");
                    cpuLine = $"CPU per analysis: web and load generator {PerJob(cpu.Since(cpuBefore, (pid, _) => pid == Environment.ProcessId), jobs)}, silos {PerJob(cpu.Since(cpuBefore, (pid, _) => siloPids.Contains(pid)), jobs)}, PDF text servers {PerJob(cpu.Since(cpuBefore, (_, name) => name == "pdftext-server"), jobs)}, PostgreSQL {PerJob(cpu.Since(cpuBefore, (_, name) => name == "postgres"), jobs)}, Redis {PerJob(cpu.Since(cpuBefore, (_, name) => name.StartsWith("redis", StringComparison.Ordinal)), jobs)}; machine busy {F(100 * (1 - cpu.IdleSince(cpuBefore) / (run.Elapsed.TotalSeconds * Environment.ProcessorCount)), "0")} %; {await AuditGroupingAsync(database, auditMark, jobs)}";
                    Console.WriteLine($"  {cpuLine}");

                    // Where the slowest job's time went, as the job itself saved it (stage starts and ends).
                    if (run.SlowestJobId is { } slowest && await web.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAnalysisGrain>(slowest).GetProgress() is { } progress)
                    {
                        string At(DateTimeOffset t) => F((t - run.SlowestUploadedAt).TotalMilliseconds, "0");
                        Console.WriteLine($"  slowest job (ms after its upload started): created {At(progress.CreatedAt)}; " + string.Join(", ", progress.History.Select(h => $"{h.Stage} {At(h.StartedAt)}–{(h.EndedAt is { } end ? At(end) : "?")}")));
                    }

                    // What the silos warned about during the run (a slow job usually has its reason here).
                    foreach (var (silo, number) in silos.Select((silo, index) => (silo, index + 1)))
                    {
                        // Console text format: "warn: Category[id]" and the message on the next line.
                        var lines = silo.Output.Split('\n');
                        var warnings = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("warn:", StringComparison.Ordinal) || x.l.StartsWith("fail:", StringComparison.Ordinal))
                            .Select(x => x.l.Trim() + " " + (x.i + 1 < lines.Length ? lines[x.i + 1].Trim() : "")).ToList();
                        if (warnings.Count > 0)
                        {
                            Console.WriteLine($"  silo {number}: {warnings.Count} warning lines, the first ones:");
                            warnings.Take(6).ToList().ForEach(l => Console.WriteLine("    " + l.Trim()));
                        }
                    }
                }
                catch (TimeoutException)
                {
                    // Say what the silos said: the table only has room for the message.
                    foreach (var silo in silos)
                    {
                        Console.Error.WriteLine(string.Join('\n', silo.Output.Split('\n').TakeLast(40)));
                    }

                    throw;
                }

                return [new("1. Throughput", "two silos + client web", $"{F(run.Jobs / run.Elapsed.TotalSeconds)} analyses/s", $"{run.Jobs} two-page PDFs, 16 in flight, 3 processes on {Environment.ProcessorCount} cores; {cpuLine}; {run.Failed} failed")];
            }
            finally
            {
                await web.Factory.DisposeAsync();
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }

            await database.DisposeAsync();
            Directory.Delete(blobRoot, true);
        }
    }

    /// <summary>
    /// 1c: two silos against co-hosted, measured in pairs run back to back: this machine's speed drifts by more than the
    /// difference between the modes (the same PDF costs its child process 2.0 ms of CPU in one run and 3.5 ms a few
    /// minutes later), so series run at different times compare phases of the machine, not the modes. Each pair
    /// alternates which mode goes first, so a drift within a pair favours neither.
    /// </summary>
    public static async Task<IEnumerable<Row>> PairedAsync(int jobs, int pairs)
    {
        static double Rate(IEnumerable<Row> rows)
        {
            var row = rows.Single();
            return System.Text.RegularExpressions.Regex.IsMatch(row.Details, " 0 failed(;|$)")
                ? double.Parse(row.Result.Split(' ')[0], CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"A {row.Mode} run had failures: {row.Details}");
        }

        async Task<double> CohostedRate() => Rate(await CohostedAsync(jobs, 0, throughputOnly: true));
        async Task<double> TwoSiloRate() => Rate(await TwoSilosAsync(jobs));
        var (cohosted, twoSilos, ratios) = (new List<double>(), new List<double>(), new List<double>());
        for (var i = 1; i <= pairs; i++)
        {
            double c, t;
            if (i % 2 == 1)
            {
                c = await CohostedRate();
                t = await TwoSiloRate();
            }
            else
            {
                t = await TwoSiloRate();
                c = await CohostedRate();
            }

            cohosted.Add(c);
            twoSilos.Add(t);
            ratios.Add(t / c);
            Console.WriteLine($"  pair {i} of {pairs}: co-hosted {F(c)}, two silos {F(t)} analyses/s, ratio {F(t / c, "0.00")}");
        }

        return [new("1c. Two silos / co-hosted", $"{pairs} pairs", $"median ratio {F(Percentile(ratios, 0.5), "0.00")}", $"{jobs} two-page PDFs per run, 16 in flight, the two runs of a pair back to back (which goes first alternates); ratios {string.Join(", ", ratios.Select(r => F(r, "0.00")))}; co-hosted median {F(Percentile(cohosted, 0.5))}, two silos median {F(Percentile(twoSilos, 0.5))} analyses/s")];
    }

    /// <summary>1b repeated: whether the two-silo run completes every time, and the spread of its throughput.</summary>
    public static async Task<IEnumerable<Row>> TwoSiloSeriesAsync(int jobs, int runs)
    {
        var rates = new List<double>();
        var failures = new List<string>();
        var clean = 0;
        for (var i = 1; i <= runs; i++)
        {
            try
            {
                var row = (await TwoSilosAsync(jobs)).Single();
                var rate = double.Parse(row.Result.Split(' ')[0], CultureInfo.InvariantCulture);
                rates.Add(rate);
                Console.WriteLine($"  run {i} of {runs}: {row.Result}, {row.Details}");
                if (row.Details.EndsWith(" 0 failed", StringComparison.Ordinal))
                {
                    clean++;
                }
                else
                {
                    failures.Add($"run {i}: {row.Details}");
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
            {
                failures.Add($"run {i}: {ex.GetType().Name} {ex.Message.ReplaceLineEndings(" ")}");
                Console.WriteLine($"  run {i} of {runs}: FAILED {ex.Message}");
            }
        }

        var spread = rates.Count == 0 ? "" : $"; analyses/s min {F(rates.Min())}, median {F(Percentile(rates, 0.5))}, max {F(rates.Max())}";
        return [new("1. Throughput", $"two silos + client web, {runs} runs", $"{clean} of {runs} runs completed, every analysis done", $"{jobs} two-page PDFs each, 16 in flight, fresh silos and database per run{spread}{(failures.Count > 0 ? "; " + string.Join("; ", failures) : "")}")];
    }

    /// <summary>
    /// 11: what one analysis costs the shared stores, co-hosted with an instant model: PostgreSQL transactions and row
    /// writes and Redis commands (server counters, before and after), grain calls and state writes (spans).
    /// </summary>
    public static async Task<IEnumerable<Row>> WorkPerAnalysisAsync(int jobs)
    {
        await using var app = new BenchJobsApp(recordSpans: true);
        await app.InitializeAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        await using var load = await JobLoad.StartAsync(app, users: 4);
        await load.RunAsync(2, 2, TimeSpan.FromMinutes(2));

        // INFO needs an admin connection, which the app never opens.
        var options = StackExchange.Redis.ConfigurationOptions.Parse(Maneiro.Infrastructure.Configuration.ConnectionUrls.ToRedisConfiguration(TestServers.RedisUrl));
        options.AllowAdmin = true;
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(options);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        async Task<(long Commits, long Rows, long RedisCommands)> CountersAsync()
        {
            var commits = await app.Database.ScalarAsync<long>("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
            var rows = await app.Database.ScalarAsync<long>("SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = current_database()");
            var info = (await server.InfoAsync("stats")).SelectMany(g => g).First(p => p.Key == "total_commands_processed").Value;
            return (commits, rows, long.Parse(info, CultureInfo.InvariantCulture));
        }

        // A PostgreSQL backend publishes its counters at most once a second, and one that could not take the stats lock
        // without waiting retries only after 10 s idle (PGSTAT_IDLE_INTERVAL): wait that out on both sides, or a busy
        // run's last commits are not counted yet.
        var published = TimeSpan.FromSeconds(11);
        await Task.Delay(published);
        var before = await CountersAsync();
        var auditMark = await AuditMarkAsync(app.Database);
        using var spans = new SpanBreakdown();
        var run = await load.RunAsync(jobs, parallel: 16, TimeSpan.FromMinutes(10));
        await Task.Delay(published);
        var after = await CountersAsync();
        var (postgres, writes, calls) = spans.PerUpload();

        var audit = await AuditGroupingAsync(app.Database, auditMark, jobs);
        return [new("11. Work per analysis", "co-hosted", $"{F((after.Commits - before.Commits) / (double)jobs)} PostgreSQL commits, {F(writes)} grain state writes, {F(calls)} grain calls, {F((after.RedisCommands - before.RedisCommands) / (double)jobs)} Redis commands", $"{jobs} two-page PDFs, instant fake LLM, {run.Failed} failed; {F((after.Rows - before.Rows) / (double)jobs)} rows written and {F(postgres)} PostgreSQL commands per analysis; counters include the test's own reads, the sign-in sessions and the audit rows; {audit}")];
    }

    /// <summary>10: the same document uploaded again: answered with the earlier analysis, no model call, nothing charged.</summary>
    public static async Task<IEnumerable<Row>> RepeatUploadAsync(int repeats)
    {
        await using var app = new BenchJobsApp();
        await app.InitializeAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var (session, _) = await app.SignedInUserAsync("bench");
        var pdf = JobLoad.TwoPagePdf();
        var first = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, pdf, analyzeAgain: false));
        var finished = await JobsApp.WaitForFinishAsync(session, first);
        var firstTokens = finished.GetProperty("tokensUsed").GetInt32();
        var modelCalls = app.OpenAi.ChatCalls;

        var token = BrowserSession.AntiforgeryToken((await session.GetAsync("/")).Html)!;
        var latencies = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using var again = await JobLoad.PostAsync(session, token, pdf, analyzeAgain: false);
            clock.Stop();
            var body = System.Text.Json.JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
            if (again.StatusCode != HttpStatusCode.OK || body.GetProperty("jobId").GetString() != first)
            {
                throw new InvalidOperationException($"Repeat upload {i} was not answered with the earlier analysis: {(int)again.StatusCode}");
            }

            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        var calls = app.OpenAi.ChatCalls - modelCalls;
        session.Dispose();
        return [new("10. Repeat upload", "co-hosted", $"p50 {F(Percentile(latencies, 0.5))} ms · p99 {F(Percentile(latencies, 0.99))} ms, {calls} model calls", $"the same two-page PDF uploaded {repeats} times after its analysis (which used {firstTokens} tokens); every answer the earlier analysis, 0 tokens, nothing charged; time is the upload's HTTP request to its answer")];
    }

    /// <summary>Waits (at most a minute) until the cores have been at least 90 % idle for half a second.</summary>
    private static async Task WaitForIdleMachineAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        var before = CpuSnapshot.Take();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var now = CpuSnapshot.Take();
            if (now.IdleSince(before) >= 0.9 * 0.5 * Environment.ProcessorCount)
            {
                return;
            }

            before = now;
        }

        Console.WriteLine("  the machine did not become idle within a minute; measuring anyway");
    }

    /// <summary>4: OCR pages per second through our OCR stage, against the same tools run directly with the same parallelism.</summary>
    public static async Task<IEnumerable<Row>> OcrAsync()
    {
        const int pages = 10;
        var dir = Directory.CreateTempSubdirectory("maneiro-bench-ocr-").FullName;
        try
        {
            var parts = new List<string>();
            for (var i = 1; i <= pages; i++)
            {
                var part = Path.Combine(dir, $"part{i}.pdf");
                await File.WriteAllBytesAsync(part, await TestDocuments.ScannedPdfAsync($"Page {i}.\n" + TestDocuments.OphthalmologyNote));
                parts.Add(part);
            }

            var scan = Path.Combine(dir, "scan.pdf");
            await RunAsync("qpdf", ["--empty", "--pages", .. parts, "--", scan]);
            var bytes = await File.ReadAllBytesAsync(scan);

            using var cpu = new CpuWork();
            var ocr = new TesseractOcr(cpu);
            await ocr.ReadPdfAsync(bytes, 1, CancellationToken.None);

            // The same commands and settings, one single-threaded pipeline per core, straight from the shell.
            var script = $"seq 1 {pages} | xargs -P {Environment.ProcessorCount} -I{{}} sh -c 'pdftoppm -r 220 -gray -png -singlefile -f {{}} -l {{}} \"{scan}\" \"{dir}/p{{}}\" && OMP_THREAD_LIMIT=1 tesseract \"{dir}/p{{}}.png\" \"{dir}/t{{}}\" --psm 6 -l eng txt tsv >/dev/null 2>&1'";

            // The run before (the two silos' shutdown, PostgreSQL's clean-up) can still be using the machine, and it
            // would slow the first of each pair more than the second.
            await WaitForIdleMachineAsync();

            // Alternate the two, three rounds each, and keep each one's best: neither gets the warmer caches.
            var ours = TimeSpan.MaxValue;
            var direct = TimeSpan.MaxValue;
            OcrResult? result = null;
            for (var round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                result = await ocr.ReadPdfAsync(bytes, pages, CancellationToken.None);
                ours = Min(ours, clock.Elapsed);
                if (result.Pages.Count != pages)
                {
                    throw new InvalidOperationException($"OCR returned {result.Pages.Count} pages.");
                }

                clock.Restart();
                await RunAsync("bash", ["-c", script]);
                direct = Min(direct, clock.Elapsed);
            }

            return [new("4. OCR", $"{pages}-page scan, {Environment.ProcessorCount} in parallel", $"{F(pages / ours.TotalSeconds, "0.00")} pages/s (direct {F(pages / direct.TotalSeconds, "0.00")}; ratio {F(direct.TotalSeconds / ours.TotalSeconds, "0.00")})", $"pipeline {F(ours.TotalSeconds)} s vs pdftoppm+tesseract via xargs {F(direct.TotalSeconds)} s; mean confidence {F(result!.Pages.Average(p => p.Confidence))}; best of 3 alternating rounds")];
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>5: verified Stripe events applied per second, each delivered twice.</summary>
    public static async Task<IEnumerable<Row>> WebhooksAsync(int uniqueEvents)
    {
        // Stripe sends from a few addresses: the per-address limit (120 a minute, since the hardening issue) would
        // answer most of a burst 429, and the row would time refusals instead of the events' processing.
        await using var app = new ManeiroApp(b => b.WithFakeStripe().With("Security:RateLimits:WebhookPerIpPerMinute", "100000000"));
        await app.InitializeAsync();
        var users = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (session, email) = await app.SignedInUserAsync("payer");
            session.Dispose();
            users.Add(await app.UserIdAsync(email));
        }

        var period = DateTimeOffset.UtcNow.AddDays(-1);
        var payloads = new List<string>();
        for (var i = 0; i < uniqueEvents; i++)
        {
            var user = users[i % users.Count];
            var subscription = $"sub_{user[..8]}";
            var data = FakeStripe.Subscription(subscription, $"cus_{user[..8]}", user, i % 3 == 0 ? "past_due" : "active", i % 2 == 0 ? "price_basic" : "price_professional", period);
            app.Stripe.Subscriptions[subscription] = data;
            payloads.Add(FakeStripe.Event(i < users.Count ? "customer.subscription.created" : "customer.subscription.updated", data, DateTimeOffset.UtcNow.AddSeconds(-uniqueEvents + i)));
        }

        var deliveries = payloads.Concat(payloads).OrderBy(_ => Random.Shared.Next()).ToList();
        using var client = app.Factory.CreateHttpClient();
        using var gate = new SemaphoreSlim(8);
        var failures = 0;
        var refusals = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        string? firstRefusal = null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(deliveries.Select(async payload =>
        {
            await gate.WaitAsync();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/stripe-webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                request.Headers.Add("Stripe-Signature", FakeStripe.Sign(payload, DateTimeOffset.UtcNow));
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                    refusals.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    firstRefusal ??= await response.Content.ReadAsStringAsync();
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        clock.Stop();
        return [new("5. Webhooks", "co-hosted, 8 in flight", $"{F(deliveries.Count / clock.Elapsed.TotalSeconds)} events/s", $"{uniqueEvents} signed events each delivered twice ({deliveries.Count} requests) for {users.Count} customers, subscription re-read from the fake Stripe API, the per-address limit lifted; {failures} non-200{(failures == 0 ? "" : $" ({string.Join(", ", refusals.OrderBy(r => r.Key).Select(r => $"{r.Value} × {r.Key}"))}; the first said: {firstRefusal?[..Math.Min(firstRefusal.Length, 160)]})")}")];
    }

    /// <summary>7: a letter PDF with the saved-body limit as one 40,000-character word, and an ordinary letter; best of 3.</summary>
    public static Task<IEnumerable<Row>> LetterPdfAsync()
    {
        var context = LetterSamples.Context();
        var draft = Maneiro.Grains.Domain.Letters.LetterDraft.Parse(LetterSamples.Draft()).Draft!;
        var language = Maneiro.Grains.Domain.Letters.LetterLanguage.Get("en");
        var composed = Maneiro.Grains.Domain.Letters.LetterComposer.Compose(draft, LetterKind.Referral, language, context);
        Maneiro.Web.Letters.LetterPdfInput Input(string body) => new(
            new Letterhead("Clinic", "1 Main Street", "", "", "", "Dr. Ribeiro", "MD", "", null),
            LetterKind.Referral,
            language,
            new DateOnly(2026, 12, 2),
            new LetterRecipient("Dr. Ana Silva", "Glaucoma", "Eye Institute", "1 Main Street"),
            context.PatientName,
            composed.Subject,
            body,
            context.Codes,
            context.References);
        double BestMs(Maneiro.Web.Letters.LetterPdfInput input) => Enumerable.Range(0, 3).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            Maneiro.Web.Letters.LetterPdf.Render(input);
            return clock.Elapsed.TotalMilliseconds;
        }).Min();

        Maneiro.Web.Letters.LetterPdf.Render(Input(composed.Body));
        var longest = BestMs(Input(new string('x', Maneiro.Grains.Domain.Letters.LetterBody.MaxLength)));
        var ordinary = BestMs(Input(composed.Body));
        return Task.FromResult<IEnumerable<Row>>([new("7. Letter PDF", "in-process", $"{F(longest)} ms for 40,000 characters without a space", $"an ordinary referral {F(ordinary)} ms; best of 3; the budget is 20 s")]);
    }

    /// <summary>9: the bundled ICD-10-CM table: the start-up time it adds, the memory it holds, and checks per second.</summary>
    public static Task<IEnumerable<Row>> Icd10Async()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var catalog = Maneiro.Infrastructure.Pipeline.Icd10Tables.Load(null);
        var load = clock.Elapsed.TotalMilliseconds;
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;

        string[] sample = ["H40.1131", "H40.11", "F43.81", "H40.99ZZ", "ZZ9.9", "E11.9", "u07.1", "I10", "J45.909", "QA0.0"];
        const int checks = 1_000_000;
        clock.Restart();
        var valid = 0;
        for (var i = 0; i < checks; i++)
        {
            valid += catalog.Check(sample[i % sample.Length]).Check == CodeCheck.Valid ? 1 : 0;
        }

        var perSecond = checks / clock.Elapsed.TotalSeconds;
        GC.KeepAlive(catalog);
        return Task.FromResult<IEnumerable<Row>>([new("9. ICD-10-CM table", "in-process", $"{F(perSecond / 1e6, "0.00")} M checks/s", $"{catalog.Count:N0} codes ({catalog.BillableCount:N0} billable) + 2026 categories loaded in {F(load, "0")} ms at start-up, {F(held / 1048576.0)} MB held; {checks:N0} checks of a mixed sample ({valid:N0} valid)")]);
    }

    /// <summary>
    /// 13: an account's saved state over a month of use: 40 analyses a day for 30 days on an unlimited plan, each
    /// reserved then committed, the state serialized (as the grain saves it) after every change. With committed usage
    /// folded into totals after the reservation lifetime (now), and with nothing folded (the lifetime set past the month,
    /// as before fc20dc0).
    /// </summary>
    public static Task<IEnumerable<Row>> AccountStateAsync()
    {
        var serializer = Orleans.Serialization.ServiceCollectionExtensions.AddSerializer(new ServiceCollection(), b => Orleans.Serialization.SerializerBuilderExtensions.AddAssembly(b, typeof(Maneiro.Grains.Users.UserState).Assembly))
            .BuildServiceProvider()
            .GetRequiredService<Orleans.Serialization.Serializer>();
        (long Final, long Written, int Writes, double Ms) Month(TimeSpan lifetime)
        {
            var state = new Maneiro.Grains.Users.UserState { Tier = SubscriptionTier.Enterprise, Status = SubscriptionStatus.Active };
            var limits = new Maneiro.Grains.Domain.UsageLimitsOptions { ReservationLifetime = lifetime };
            var start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
            long written = 0, final = 0;
            var writes = 0;
            var clock = Stopwatch.StartNew();
            for (var day = 0; day < 30; day++)
            {
                for (var job = 0; job < 40; job++)
                {
                    var now = start.AddDays(day).AddMinutes(job * 12);
                    var ledger = new Maneiro.Grains.Domain.UsageLedger(state, limits, now);
                    var id = $"analysis-{day:00}-{job:00}-{Guid.NewGuid():N}";
                    foreach (var changed in new[] { ledger.TryReserve(UsageKind.Analyses, id, 1).Changed, ledger.Commit(id) })
                    {
                        if (changed)
                        {
                            final = serializer.SerializeToArray(state).Length;
                            written += final;
                            writes++;
                        }
                    }
                }
            }

            return (final, written, writes, clock.Elapsed.TotalMilliseconds);
        }

        var folded = Month(TimeSpan.FromHours(24));
        var kept = Month(TimeSpan.FromDays(40));
        return Task.FromResult<IEnumerable<Row>>([new("13. Account state", "in-process", $"{F(folded.Final / 1024.0)} KB after a month (was {F(kept.Final / 1024.0)} KB)", $"1,200 analyses (40 a day for 30 days, unlimited plan), each reserved and committed, the state serialized after each of its {folded.Writes:N0} changes: {F(folded.Written / 1048576.0)} MB written in the month and {F(folded.Written / (double)folded.Writes / 1024)} KB per save with committed usage folded after the 24-hour reservation lifetime, against {F(kept.Written / 1048576.0)} MB and {F(kept.Written / (double)kept.Writes / 1024)} KB per save with every entry kept for the period; {F(folded.Ms)} ms against {F(kept.Ms)} ms of ledger and serializer CPU")]);
    }

    /// <summary>12: a FHIR export: the R4 profiles' first load, then building, validating and serializing one document.</summary>
    public static Task<IEnumerable<Row>> FhirExportAsync(int documents)
    {
        var input = FhirSamples.Input(FhirSamples.Result(), FhirSamples.SignedLetter(TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)), DateTimeOffset.UtcNow);
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var validator = new Maneiro.Web.Fhir.FhirBundleValidator();
        var clock = Stopwatch.StartNew();
        var errors = validator.Errors(Maneiro.Web.Fhir.FhirDocumentBuilder.Document(input)).Count;
        var firstLoad = clock.Elapsed.TotalMilliseconds;
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;

        var times = new List<double>(documents);
        for (var i = 0; i < documents; i++)
        {
            clock.Restart();
            var bundle = validator.Checked(Maneiro.Web.Fhir.FhirDocumentBuilder.Document(input));
            _ = Maneiro.Web.Fhir.FhirExport.ToJson(bundle);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return Task.FromResult<IEnumerable<Row>>([new("12. FHIR export", "in-process", $"{F(times[times.Count / 2])} ms per document (p50), {F(times[(int)(times.Count * 0.99)])} ms p99", $"{documents} document Bundles (2 conditions, a letter PDF) built, validated against the R4 base profiles and serialized; the profiles' first load {F(firstLoad, "0")} ms, {F(held / 1048576.0)} MB held; {errors} validation errors")]);
    }

    /// <summary>
    /// 8: what parsing a PDF costs per document, sequentially and two at a time: through the pdftext-server (a child
    /// forked per document from a process with poppler loaded, or one uploader's warm worker) and with one limited
    /// pdftotext started per document.
    /// </summary>
    public static async Task<IEnumerable<Row>> PdfProcessesAsync(int documents)
    {
        var pdf = TestDocuments.TextPdf(string.Concat(Enumerable.Repeat(TestDocuments.OphthalmologyNote, 6)));
        var server = await MeasureParsingAsync(pdf, documents, TestServers.PdfTextServerPath, uploader: null);
        var worker = await MeasureParsingAsync(pdf, documents, TestServers.PdfTextServerPath, uploader: "bench-uploader");
        var perDocument = await MeasureParsingAsync(pdf, documents, null, uploader: null);
        return [new("8. PDF parsing", "pdftext-server", $"{F(server.Sequential)} ms per document", $"{documents} two-page PDFs (the one parse a new PDF gets: at upload, its text handed to the job), each in a limited child forked from the server: {F(server.Parallel)} documents/s with {Environment.ProcessorCount} at a time, {F(server.CpuPerDocument)} ms CPU per document (host, server and children); in one uploader's warm worker (as uploads are): {F(worker.Sequential)} ms, {F(worker.Parallel)} documents/s, {F(worker.CpuPerDocument)} ms CPU; a limited pdftotext started per document: {F(perDocument.Sequential)} ms, {F(perDocument.Parallel)} documents/s, {F(perDocument.CpuPerDocument)} ms CPU")];
    }

    private static async Task<(double Sequential, double Parallel, double CpuPerDocument)> MeasureParsingAsync(byte[] pdf, int documents, string? serverPath, string? uploader)
    {
        using var cpu = new CpuWork();
        var options = Microsoft.Extensions.Options.Options.Create(new PdfToolOptions { TextServerPath = serverPath });
        using var servers = new PdfTextServers(options);
        var poppler = new PopplerPdf(cpu, options, servers);
        await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount).Select(_ => poppler.ExtractAsync(pdf, uploader, CancellationToken.None)));

        // This process and its reaped children (the pdftotext runs), and the servers with theirs (the parses).
        double Spent(CpuSnapshot snapshot, CpuSnapshot before) =>
            snapshot.Since(before, (pid, name) => pid == Environment.ProcessId || name == "pdftext-server") is var (own, children) ? own + children : 0;
        var cpuBefore = CpuSnapshot.Take();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < documents; i++)
        {
            await poppler.ExtractAsync(pdf, uploader, CancellationToken.None);
        }

        var sequential = clock.Elapsed.TotalMilliseconds / documents;
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, documents).Select(_ => poppler.ExtractAsync(pdf, uploader, CancellationToken.None)));
        var parallel = documents / clock.Elapsed.TotalSeconds;
        return (sequential, parallel, 1000 * Spent(CpuSnapshot.Take(), cpuBefore) / (2 * documents));
    }

    /// <summary>6: resident memory of a standalone silo per 10,000 active user grains.</summary>
    public static async Task<IEnumerable<Row>> MemoryAsync(int grains, int analyses)
    {
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var pubMed = await FakeEutils.StartAsync();
        openAi.Answer(JobsApp.ModelAnswer());
        var database = new TestDatabase();
        await database.InitializeAsync();
        var clusterId = "bench-mem-" + Guid.NewGuid().ToString("N")[..8];
        var blobRoot = Directory.CreateTempSubdirectory("maneiro-bench-mem-").FullName;
        var environment = ManeiroProcess.SiloEnvironment(database.Url, blobRoot, clusterId, openAi.Endpoint, pubMed.BaseUrl, TestServers.FreeTcpPort(), TestServers.FreeTcpPort());
        foreach (var (key, value) in BenchJobsApp.Unlimited)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        await using var silo = ManeiroProcess.StartSilo(environment);
        try
        {
            await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            var web = new ClientModeWebApp(database, blobRoot, clusterId);
            await web.StartAsync();
            try
            {
                var factory = web.Factory.Services.GetRequiredService<IGrainFactory>();
                await factory.GetGrain<IUserGrain>("warm-up").GetSnapshot();
                await Task.Delay(TimeSpan.FromSeconds(3));
                var before = ResidentBytes(silo.ProcessId);
                using var gate = new SemaphoreSlim(64);
                await Task.WhenAll(Enumerable.Range(0, grains).Select(async i =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        await factory.GetGrain<IUserGrain>($"bench-user-{i}").GetSnapshot();
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
                await Task.Delay(TimeSpan.FromSeconds(3));
                var after = ResidentBytes(silo.ProcessId);
                var perTenThousand = (after - before) * 10_000.0 / grains;

                // Then analyses run to completion through the client web; their activations stay until idle collection.
                await using (var load = await JobLoad.StartAsync(web, users: 4))
                {
                    await load.RunAsync(analyses, parallel: 16, TimeSpan.FromMinutes(15));
                }

                await Task.Delay(TimeSpan.FromSeconds(3));
                var afterAnalyses = ResidentBytes(silo.ProcessId);
                var perThousand = (afterAnalyses - after) * 1_000.0 / analyses;
                return
                [
                    new("6. Memory", "standalone silo", $"{F(perTenThousand / 1024 / 1024)} MB per 10,000 user grains", $"{grains} user grains activated (state read and written in PostgreSQL); silo RSS {F(before / 1024.0 / 1024)} → {F(after / 1024.0 / 1024)} MB"),
                    new("6. Memory", "standalone silo", $"{F(perThousand / 1024 / 1024)} MB per 1,000 completed analyses", $"{analyses} two-page PDF analyses completed through a client web and still active (the history a user pages through); silo RSS {F(after / 1024.0 / 1024)} → {F(afterAnalyses / 1024.0 / 1024)} MB"),
                ];
            }
            finally
            {
                await web.Factory.DisposeAsync();
            }
        }
        finally
        {
            await database.DisposeAsync();
            Directory.Delete(blobRoot, true);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static async Task RunAsync(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {await stderr}");
        }
    }
}
