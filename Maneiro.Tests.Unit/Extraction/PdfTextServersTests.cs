using System.Diagnostics;
using Maneiro.Grains.Services;
using Maneiro.Infrastructure.Extraction;
using Maneiro.Testing;
using Microsoft.Extensions.Options;

namespace Maneiro.Tests.Unit.Extraction;

/// <summary>
/// The pdftext-server parses each document in a child it forks, under the document's limits: a document that crashes
/// its parse, runs out of memory or out of time ends only that child; the server answers the next one. A server that
/// is itself killed is replaced, and disposing the pool ends its servers.
/// </summary>
public sealed class PdfTextServersTests
{
    private static readonly byte[] Note = TestDocuments.TextPdf(TestDocuments.OphthalmologyNote);

    /// <summary>The server ./test builds; a missing build is a failure, not a skip.</summary>
    public static string ServerPath() =>
        File.Exists(TestServers.PdfTextServerPath)
            ? TestServers.PdfTextServerPath
            : throw new FileNotFoundException($"{TestServers.PdfTextServerPath} is not built; ./test builds it (scripts/lib.sh, build_native).");

    private static PdfTextServers Servers(int addressSpaceMegabytes = 1024, TimeSpan? timeLimit = null) =>
        new(Options.Create(new PdfToolOptions
        {
            TextServerPath = ServerPath(),
            AddressSpaceMegabytes = addressSpaceMegabytes,
            TimeLimit = timeLimit ?? TimeSpan.FromSeconds(60),
        }));

    [Fact]
    public async Task A_document_that_crashes_its_parse_ends_only_its_child()
    {
        using var servers = Servers();
        var first = await servers.ExtractAsync(Note, 201, CancellationToken.None);
        var server = Assert.Single(servers.ProcessIds);

        // 200,000 nested functions overflow poppler's stack: the child dies of a signal.
        var crashed = await servers.ExtractAsync(TestDocuments.NestedFunctionPdf("Visual acuity 20/40."), 201, CancellationToken.None);
        Assert.True(crashed.ExitCode > 128, $"exit code {crashed.ExitCode}");

        var next = await servers.ExtractAsync(Note, 201, CancellationToken.None);
        Assert.Equal(0, next.ExitCode);
        Assert.Equal(first.StandardOutput, next.StandardOutput);
        Assert.Equal([server], servers.ProcessIds);
    }

    [Fact]
    public async Task A_parse_held_to_its_address_space_fails_and_the_server_carries_on()
    {
        // 16 MB is less than poppler needs for the note (the server's own address space is not limited): the parse
        // fails, however poppler takes the refused allocation (it gives up on the file, or aborts); with the usual
        // limit the same note reads.
        using var held = Servers(addressSpaceMegabytes: 16);
        Assert.NotEqual(0, (await held.ExtractAsync(Note, 201, CancellationToken.None)).ExitCode);
        var server = Assert.Single(held.ProcessIds);
        Assert.NotEqual(0, (await held.ExtractAsync(Note, 201, CancellationToken.None)).ExitCode);
        Assert.Equal([server], held.ProcessIds);

        using var usual = Servers();
        Assert.Equal(0, (await usual.ExtractAsync(Note, 201, CancellationToken.None)).ExitCode);
    }

    [Fact]
    public async Task A_parse_over_the_time_limit_is_killed_and_reported_as_such()
    {
        // No time at all: the server kills every parse at once, and stays.
        using var servers = Servers(timeLimit: TimeSpan.Zero);
        await Assert.ThrowsAsync<ToolTimedOutException>(() => servers.ExtractAsync(Note, 201, CancellationToken.None));
        var server = Assert.Single(servers.ProcessIds);
        await Assert.ThrowsAsync<ToolTimedOutException>(() => servers.ExtractAsync(Note, 201, CancellationToken.None));
        Assert.Equal([server], servers.ProcessIds);
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
