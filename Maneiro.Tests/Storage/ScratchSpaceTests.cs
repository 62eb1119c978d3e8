using Maneiro.Infrastructure.Storage;
using Maneiro.Testing;

namespace Maneiro.Tests.Storage;

/// <summary>
/// Runs alone, after the parallel tests: it checks that this process's scratch space holds no OCR copies, and other
/// classes' jobs (inbox faxes, scans) would have theirs in flight.
/// </summary>
[CollectionDefinition(nameof(ScratchSpaceTests), DisableParallelization = true)]
public sealed class ScratchSpaceRunsAlone;

/// <summary>Plaintext copies live only in the scratch space, are removed on every path, and a dead process's are swept.</summary>
[Collection(nameof(ScratchSpaceTests))]
public sealed class ScratchSpaceTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public void The_folders_of_processes_that_are_gone_are_swept_and_running_ones_are_kept()
    {
        // A process id above the kernel's maximum (4,194,304) can never be running.
        var dead = Path.Combine(ScratchSpace.Root, "4194399");
        Directory.CreateDirectory(dead);
        File.WriteAllText(Path.Combine(dead, "ocr-page.png"), "plaintext left by a crash");
        using var other = System.Diagnostics.Process.Start("sleep", "60");
        var running = Path.Combine(ScratchSpace.Root, other.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(running);
        try
        {
            ScratchSpace.SweepStale();
            Assert.False(Directory.Exists(dead));
            Assert.True(Directory.Exists(running));
        }
        finally
        {
            other.Kill();
            Directory.Delete(running, recursive: true);
        }
    }

    [Fact]
    public void A_sweep_keeps_this_process_s_own_folder_and_removes_one_an_earlier_process_left_under_its_id()
    {
        // Every host in a process sweeps when it starts (a test run starts dozens): the files in use must survive it.
        var inUse = ScratchSpace.NewFilePath("audio-compact");
        File.WriteAllText(inUse, "a tool is reading this");
        var earlier = Path.Combine(ScratchSpace.Root, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-0123456789abcdef");
        Directory.CreateDirectory(earlier);
        try
        {
            ScratchSpace.SweepStale();
            Assert.True(File.Exists(inUse));
            Assert.False(Directory.Exists(earlier));
        }
        finally
        {
            File.Delete(inUse);
        }
    }

    [Fact]
    public async Task An_ocr_job_leaves_no_plaintext_behind_whether_it_succeeds_or_fails()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var scan = await JsonOf(session, await TestDocuments.ScannedPdfAsync(TestDocuments.OphthalmologyNote), "scan.pdf");
        Assert.Equal("Complete", JobsApp.StageOf(scan));
        var blank = await JsonOf(session, TestDocuments.MultiPageTiff(1), "blank.tiff");
        Assert.Equal("Failed", JobsApp.StageOf(blank));

        // Nothing of this process's is left in the scratch space (this class runs alone, so no other OCR is in flight).
        var leftovers = Directory.Exists(ScratchSpace.ProcessFolder)
            ? Directory.EnumerateFileSystemEntries(ScratchSpace.ProcessFolder).Where(e => Path.GetFileName(e).StartsWith("ocr-", StringComparison.Ordinal)).ToList()
            : [];
        Assert.Empty(leftovers);
        session.Dispose();
    }

    private static async Task<System.Text.Json.JsonElement> JsonOf(BrowserSession session, byte[] file, string name) =>
        await JobsApp.WaitForFinishAsync(session, await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, file, name)));
}
