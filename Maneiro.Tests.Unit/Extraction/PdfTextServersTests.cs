using System.Diagnostics;
using System.Text;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Testing;
using Microsoft.Extensions.Options;

namespace Maneiro.Tests.Unit.Extraction;

/// <summary>
/// The pdftext-server parses each document in a child it forks, or in its uploader's warm worker, under the document's
/// limits: a document that crashes its parse, runs out of memory or out of time ends only that child or worker; the
/// server answers the next one. A server that is itself killed is replaced, and disposing the pool ends its servers.
/// The theories run each case both ways (uploader null: a child of its own).
/// </summary>
public sealed class PdfTextServersTests
{
    private static readonly byte[] Note = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote);

    /// <summary>The server ./test builds; a missing build is a failure, not a skip.</summary>
    public static string ServerPath() =>
        File.Exists(TestServers.PdfTextServerPath)
            ? TestServers.PdfTextServerPath
            : throw new FileNotFoundException($"{TestServers.PdfTextServerPath} is not built; ./test builds it (scripts/lib.sh, build_native).");

    private static PdfTextServers Servers(int addressSpaceMegabytes = 1024, TimeSpan? timeLimit = null, int cpuSeconds = 60, int documentsPerWorker = 100, TimeSpan? workerIdleTime = null) =>
        new(Options.Create(new PdfToolOptions
        {
            TextServerPath = ServerPath(),
            AddressSpaceMegabytes = addressSpaceMegabytes,
            TimeLimit = timeLimit ?? TimeSpan.FromSeconds(60),
            CpuSeconds = cpuSeconds,
            DocumentsPerWorker = documentsPerWorker,
            WorkerIdleTime = workerIdleTime ?? TimeSpan.FromMinutes(10),
        }));

    [Theory]
    [InlineData(null)]
    [InlineData("alice")]
    public async Task A_document_that_crashes_its_parse_ends_only_its_child(string? uploader)
    {
        using var servers = Servers();
        var first = await servers.ExtractAsync(Note, 201, uploader, CancellationToken.None);
        var server = Assert.Single(servers.ProcessIds);
        var bobs = await WorkerOfAsync(servers, server, "bob");

        // 200,000 nested functions overflow poppler's stack: the child (or the uploader's worker) dies of a signal.
        var crashed = await servers.ExtractAsync(TestDocuments.NestedFunctionPdf("Visual acuity 20/40."), 201, uploader, CancellationToken.None);
        Assert.True(crashed.ExitCode > 128, $"exit code {crashed.ExitCode}");
        Assert.Equal([bobs], ProcessTree.ChildrenOf(server));

        var next = await servers.ExtractAsync(Note, 201, uploader, CancellationToken.None);
        Assert.Equal(0, next.ExitCode);
        Assert.Equal(first.StandardOutput, next.StandardOutput);
        Assert.Equal([server], servers.ProcessIds);
        Assert.Contains(bobs, ProcessTree.ChildrenOf(server));
    }

    [Fact]
    public async Task An_uploader_s_documents_are_parsed_in_one_worker_that_no_one_else_s_documents_reach()
    {
        using var servers = Servers();
        var alone = await servers.ExtractAsync(Note, 201, CancellationToken.None);
        var server = Assert.Single(servers.ProcessIds);
        Assert.Empty(ProcessTree.ChildrenOf(server)); // a child of its own exits with its answer

        var alices = await WorkerOfAsync(servers, server, "alice");
        var again = await servers.ExtractAsync(Note, 201, "alice", CancellationToken.None);
        Assert.Equal(alone.StandardOutput, again.StandardOutput);
        Assert.Equal([alices], ProcessTree.ChildrenOf(server));

        var bobs = await WorkerOfAsync(servers, server, "bob");
        Assert.NotEqual(alices, bobs);
        Assert.Equal(alone.StandardOutput, (await servers.ExtractAsync(Note, 201, CancellationToken.None)).StandardOutput);
        Assert.Equal([alices, bobs], ProcessTree.ChildrenOf(server).Order());

        // Bob's worker was forked while Alice's ran: it holds /dev/null as its standard streams and its own two pipes,
        // none of hers (nor the server's protocol).
        var descriptors = Directory.GetFiles($"/proc/{bobs}/fd").Select(f => new FileInfo(f).LinkTarget).ToList();
        Assert.True(descriptors.Count == 5, string.Join(", ", Directory.GetFiles($"/proc/{bobs}/fd").Select(f => Path.GetFileName(f) + "=" + new FileInfo(f).LinkTarget)));
        Assert.Equal(3, descriptors.Count(target => target == "/dev/null"));
        Assert.Equal(2, descriptors.Count(target => target!.StartsWith("pipe:", StringComparison.Ordinal)));
        var alicesPipes = Directory.GetFiles($"/proc/{alices}/fd").Select(f => new FileInfo(f).LinkTarget).Where(t => t!.StartsWith("pipe:", StringComparison.Ordinal));
        Assert.Empty(descriptors.Intersect(alicesPipes));
    }

    [Fact]
    public async Task A_worker_ends_after_its_documents_and_when_idle()
    {
        using var servers = Servers(documentsPerWorker: 2, workerIdleTime: TimeSpan.FromMilliseconds(300));
        var first = await WorkerOfAsync(servers, 0, "alice");
        var server = Assert.Single(servers.ProcessIds);
        await servers.ExtractAsync(Note, 201, "alice", CancellationToken.None);

        // Its second document was its last: the next starts another.
        var second = await WorkerOfAsync(servers, server, "alice");
        Assert.NotEqual(first, second);
        Assert.False(Directory.Exists($"/proc/{first}"));

        // Unused for its idle time, it ends, and nothing takes its place until a document comes.
        await Eventually.TrueAsync(() => ProcessTree.ChildrenOf(server).Count == 0, "the idle worker ended");
        Assert.Equal(0, (await servers.ExtractAsync(Note, 201, "alice", CancellationToken.None)).ExitCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("alice")]
    public async Task A_parse_over_its_cpu_limit_is_ended_by_the_kernel(string? uploader)
    {
        // A minute's parse against one CPU-second: SIGXCPU (24) ends it long before the wall-clock limit.
        using var servers = Servers(timeLimit: TimeSpan.FromMinutes(10), cpuSeconds: 1);
        if (uploader is not null)
        {
            // The worker has parsed before: its limit counts from this document's start, not from its own.
            Assert.Equal(0, (await servers.ExtractAsync(Note, 201, uploader, CancellationToken.None)).ExitCode);
        }

        var ended = await servers.ExtractAsync(SlowPdf(), 201, uploader, CancellationToken.None);
        Assert.Contains(ended.ExitCode, new[] { 128 + 9, 128 + 24 }); // SIGKILL where the hard limit is reached too
        Assert.Equal(0, (await servers.ExtractAsync(Note, 201, uploader, CancellationToken.None)).ExitCode);
    }

    /// <summary>Parses a note as <paramref name="uploader"/> and gives the server's child that stays: that uploader's worker.</summary>
    private static async Task<int> WorkerOfAsync(PdfTextServers servers, int server, string uploader)
    {
        var before = server == 0 ? [] : ProcessTree.ChildrenOf(server);
        Assert.Equal(0, (await servers.ExtractAsync(Note, 201, uploader, CancellationToken.None)).ExitCode);
        return Assert.Single(ProcessTree.ChildrenOf(server == 0 ? Assert.Single(servers.ProcessIds) : server).Except(before));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("alice")]
    public async Task A_parse_held_to_its_address_space_fails_and_the_server_carries_on(string? uploader)
    {
        // 16 MB is less than the server itself maps (its own address space is not limited), so the child can map
        // nothing more: a document whose parse needs more than the free heap the child inherits (up to 2 MB) fails,
        // however poppler takes the refused allocation (it gives up on the file, or aborts). Here a 4 MB string operand,
        // which poppler's lexer holds whole; with the usual limit the same document reads.
        var hungry = TestDocuments.LongStringPdf("Visual acuity 20/40.", 4_000_000);
        using var held = Servers(addressSpaceMegabytes: 16);
        Assert.NotEqual(0, (await held.ExtractAsync(hungry, 201, uploader, CancellationToken.None)).ExitCode);
        var server = Assert.Single(held.ProcessIds);
        Assert.NotEqual(0, (await held.ExtractAsync(hungry, 201, uploader, CancellationToken.None)).ExitCode);
        Assert.Equal([server], held.ProcessIds);

        using var usual = Servers();
        var read = await usual.ExtractAsync(hungry, 201, uploader, CancellationToken.None);
        Assert.Equal(0, read.ExitCode);
        Assert.Contains("Visual acuity 20/40.", read.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("alice")]
    public async Task A_parse_over_the_time_limit_is_killed_and_reported_as_such(string? uploader)
    {
        // No time at all: the server kills every parse at once (a worker with it), and stays.
        using var servers = Servers(timeLimit: TimeSpan.Zero);
        await Assert.ThrowsAsync<ToolTimedOutException>(() => servers.ExtractAsync(Note, 201, uploader, CancellationToken.None));
        var server = Assert.Single(servers.ProcessIds);
        await Assert.ThrowsAsync<ToolTimedOutException>(() => servers.ExtractAsync(Note, 201, uploader, CancellationToken.None));
        Assert.Equal([server], servers.ProcessIds);
        Assert.Empty(ProcessTree.ChildrenOf(server));
    }

    [Fact]
    public async Task A_server_killed_from_outside_is_replaced_and_the_document_still_read()
    {
        using var servers = Servers();
        await servers.ExtractAsync(Note, 201, CancellationToken.None);
        var killed = Assert.Single(servers.ProcessIds);
        using (var process = Process.GetProcessById(killed))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        var read = await servers.ExtractAsync(Note, 201, CancellationToken.None);
        Assert.Equal(0, read.ExitCode);
        Assert.Contains("20/30 right eye", read.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(killed, servers.ProcessIds);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("alice")]
    public async Task A_caller_that_gives_up_ends_its_server_and_the_parse_with_it(string? uploader)
    {
        // Left alone, this parse takes about a minute (a content stream of two million operators, drawn 100 times):
        // longer than the poll below waits, so only the server's death can end it in time.
        using var servers = Servers(timeLimit: TimeSpan.FromMinutes(10));
        using var giveUp = new CancellationTokenSource();
        var parse = servers.ExtractAsync(SlowPdf(), 201, uploader, giveUp.Token);
        var server = await Eventually.ReturnsAsync(() => Task.FromResult(servers.ProcessIds.FirstOrDefault()), pid => pid != 0, "a server started");
        var child = await Eventually.ReturnsAsync(() => Task.FromResult(ChildOf(server)), pid => pid != 0, "the server forked the parse");

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => parse);
        Assert.Empty(servers.ProcessIds);
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{server}") && !Directory.Exists($"/proc/{child}"), "the server and its parse ended", TimeSpan.FromSeconds(20));
    }

    /// <summary>A child process of <paramref name="parent"/> (from /proc), or 0.</summary>
    private static int ChildOf(int parent)
    {
        foreach (var stat in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)).Select(d => Path.Combine(d, "stat")))
        {
            try
            {
                var text = File.ReadAllText(stat);
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    return int.Parse(Path.GetFileName(Path.GetDirectoryName(stat)!), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile, or not a process directory.
            }
        }

        return 0;
    }

    /// <summary>A one-page PDF whose page draws one compressed stream of two million no-op transforms 100 times.</summary>
    private static byte[] SlowPdf()
    {
        var operators = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(operators, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var op = System.Text.Encoding.ASCII.GetBytes("1 0 0 1 0 0 cm ");
            for (var i = 0; i < 2_000_000; i++)
            {
                zlib.Write(op);
            }
        }

        var contents = string.Join(' ', Enumerable.Repeat("4 0 R", 100));
        var output = new MemoryStream();
        var offsets = new List<long>();
        void Write(string text) => output.Write(System.Text.Encoding.ASCII.GetBytes(text));
        void Object(string body, byte[]? stream = null)
        {
            offsets.Add(output.Position);
            Write($"{offsets.Count} 0 obj\n{body}");
            if (stream is not null)
            {
                Write("\nstream\n");
                output.Write(stream);
                Write("\nendstream");
            }

            Write("\nendobj\n");
        }

        Write("%PDF-1.4\n");
        Object("<< /Type /Catalog /Pages 2 0 R >>");
        Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Object($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [{contents}] >>");
        var data = operators.ToArray();
        Object($"<< /Length {data.Length} /Filter /FlateDecode >>", data);
        var xref = output.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write($"{offset:D10} 00000 n \n");
        }

        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return output.ToArray();
    }

    [Fact]
    public async Task A_server_binds_its_libraries_once_so_that_no_child_binds_them_again()
    {
        // A forked child inherits the server's symbol bindings: bound lazily, every child bound again each library
        // function its parse called (about a fifth of a child's CPU). The server re-executes itself with LD_BIND_NOW
        // and keeps its name doing so (operators and the benchmarks find it by name).
        using var servers = Servers();
        Assert.Equal(0, (await servers.ExtractAsync(Note, 201, CancellationToken.None)).ExitCode);
        var server = Assert.Single(servers.ProcessIds);

        var environment = (await File.ReadAllTextAsync($"/proc/{server}/environ")).Split('\0');
        Assert.Contains("LD_BIND_NOW=1", environment);
        Assert.Equal("pdftext-server", (await File.ReadAllTextAsync($"/proc/{server}/comm")).Trim());
        Assert.Equal(0, (await servers.ExtractAsync(Note, 201, CancellationToken.None)).ExitCode);
    }

    [Fact]
    public async Task Where_the_kernel_offers_huge_pages_a_child_takes_its_working_memory_as_one()
    {
        // Most of a child's cost is page faults (on a virtual machine about 10 µs each): poppler's memory for a two-page
        // note, in 4 kB pages, was ~150 faults of the child's ~250. Where transparent huge pages are offered, the
        // server re-executes itself with glibc's tunables for them and each child parses on a thread, whose fresh malloc
        // arena is one 2 MB page. Counted from the server's waited-for children (/proc/PID/stat field 11).
        var offered = !File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]", StringComparison.Ordinal);
        var pdf = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote + "\n" + string.Join('\n', Enumerable.Range(1, 40).Select(i => $"Follow-up note line {i}: pressure stable.")));
        using var servers = Servers();
        var first = await servers.ExtractAsync(pdf, 201, CancellationToken.None);
        Assert.Equal(0, first.ExitCode);
        var server = Assert.Single(servers.ProcessIds);
        var environment = (await File.ReadAllTextAsync($"/proc/{server}/environ")).Split('\0');
        Assert.Equal(offered, environment.Any(v => v.StartsWith("GLIBC_TUNABLES=", StringComparison.Ordinal) && v.Contains("glibc.malloc.hugetlb=1", StringComparison.Ordinal)));

        const int documents = 20;
        var refusedBefore = HugePageFaultsFallenBack();
        var before = ChildrenMinorFaults(server);
        for (var i = 0; i < documents; i++)
        {
            var next = await servers.ExtractAsync(pdf, 201, CancellationToken.None);
            Assert.Equal(first.StandardOutput, next.StandardOutput);
        }

        var perDocument = (ChildrenMinorFaults(server) - before) / (double)documents;
        if (offered && HugePageFaultsFallenBack() == refusedBefore)
        {
            Assert.True(perDocument < 150, $"{perDocument:0} page faults per document");
        }
        else
        {
            Assert.True(perDocument > 0, "children were counted");
        }
    }

    /// <summary>
    /// How often, machine-wide, the kernel had no huge page for a fault that asked for one (/proc/vmstat): memory too
    /// fragmented, so the children got 4 kB pages as before, and their fault count says nothing of the server.
    /// </summary>
    private static long HugePageFaultsFallenBack() =>
        File.ReadLines("/proc/vmstat").Where(l => l.StartsWith("thp_fault_fallback ", StringComparison.Ordinal))
            .Select(l => long.Parse(l.AsSpan(l.IndexOf(' ', StringComparison.Ordinal) + 1), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();

    /// <summary>Minor page faults of the process's waited-for children (/proc/PID/stat field 11, cminflt; fields are counted after the command's closing parenthesis).</summary>
    private static long ChildrenMinorFaults(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[8], System.Globalization.CultureInfo.InvariantCulture); // fields[0] is field 3 (state)
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(2_000, null)] // over 64 KB of text: the answer's buffer grows, and lets go of smaller copies as it does
    [InlineData(2, "alice")]
    [InlineData(2_000, "alice")]
    public async Task A_served_document_leaves_nothing_of_itself_in_the_server_for_the_next_child_to_inherit(int lines, string? uploader)
    {
        // Every child and worker is forked from the server, so it inherits whatever of earlier documents the server's
        // memory still holds (freed buffers keep their bytes): one poppler exploit in the next patient's document away
        // from a leak. A worker's documents pass through the server too.
        using var servers = Servers();
        var marker = "Zephyrine" + Guid.NewGuid().ToString("N");
        var answer = await servers.ExtractAsync(TestDocuments.TextPdf(string.Join('\n', Enumerable.Range(1, lines).Select(i => $"Line {i}: patient {marker}, left eye."))), 201, uploader, CancellationToken.None);
        Assert.Contains(marker, answer.StandardOutput, StringComparison.Ordinal);
        var server = Assert.Single(servers.ProcessIds);

        // Once it waits for the next request (blocked reading its input), neither the document nor its text is left.
        await Eventually.TrueAsync(() => WaitsForInput(server), "the server waits for its next request");
        Assert.Equal(0, CountInWritableMemory(server, Encoding.ASCII.GetBytes(marker)));

        // The scan finds what the server does keep: its environment (on its stack).
        Assert.NotEqual(0, CountInWritableMemory(server, Encoding.ASCII.GetBytes("LD_BIND_NOW=1")));
    }

    /// <summary>
    /// Whether the process waits for its standard input (/proc/PID/syscall): in read(2) on it (number 0, first argument
    /// 0), or, while a worker may end idle, in poll(2) (number 7) on one descriptor.
    /// </summary>
    private static bool WaitsForInput(int pid) =>
        File.ReadAllText($"/proc/{pid}/syscall") is var call && (call.StartsWith("0 0x0 ", StringComparison.Ordinal) || (call.StartsWith("7 ", StringComparison.Ordinal) && call.Split(' ')[2] == "0x1"));

    /// <summary>How often <paramref name="needle"/> occurs in the process's private writable mappings (heap, stacks, data).</summary>
    private static int CountInWritableMemory(int pid, byte[] needle)
    {
        var count = 0;
        using var memory = new FileStream($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        foreach (var line in File.ReadAllLines($"/proc/{pid}/maps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (!fields[1].StartsWith("rw", StringComparison.Ordinal) || fields[1][3] != 'p')
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = Convert.ToInt64(range[0], 16);
            var bytes = new byte[Convert.ToInt64(range[1], 16) - start];
            memory.Seek(start, SeekOrigin.Begin);
            memory.ReadExactly(bytes);
            for (var at = bytes.AsSpan(); at.IndexOf(needle) is var i and >= 0; at = at[(i + needle.Length)..])
            {
                count++;
            }
        }

        return count;
    }

    [Fact]
    public async Task Disposing_the_pool_ends_its_servers()
    {
        var servers = Servers();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => servers.ExtractAsync(Note, 201, CancellationToken.None)));
        var running = servers.ProcessIds.Select(Process.GetProcessById).ToList();
        Assert.NotEmpty(running);

        servers.Dispose();
        foreach (var process in running)
        {
            using (process)
            {
                await process.WaitForExitAsync();
                Assert.True(process.HasExited);
            }
        }
    }
}
