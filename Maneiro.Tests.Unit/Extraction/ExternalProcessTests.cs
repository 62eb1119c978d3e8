using Maneiro.Infrastructure.Extraction;

namespace Maneiro.Tests.Unit.Extraction;

/// <summary>
/// A tool runs under its kernel limits whichever way it gets its input: set on it before it is given its standard input
/// (one exec), or by prlimit before the tool's exec when it reads a file. The shell reports the limits it runs under
/// (address space in KB, CPU seconds, core file blocks) once its input has been read.
/// </summary>
public sealed class ExternalProcessTests
{
    private static readonly ProcessLimits Limits = new(AddressSpaceBytes: 512L * 1024 * 1024, CpuSeconds: 7);

    [Fact]
    public async Task A_tool_reading_standard_input_runs_under_its_limits_from_its_first_byte()
    {
        var result = await ExternalProcess.RunAsync(
            "sh",
            ["-c", "wc -c; ulimit -v; ulimit -t; ulimit -c"],
            TimeSpan.FromSeconds(30),
            CancellationToken.None,
            limits: Limits,
            standardInput: new byte[4096]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["4096", "524288", "7", "0"], Lines(result.StandardOutput));
    }

    [Fact]
    public async Task A_tool_reading_a_file_is_limited_before_it_starts()
    {
        var result = await ExternalProcess.RunAsync("sh", ["-c", "ulimit -v; ulimit -t; ulimit -c"], TimeSpan.FromSeconds(30), CancellationToken.None, limits: Limits);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["524288", "7", "0"], Lines(result.StandardOutput));
    }

    [Fact]
    public async Task A_tool_that_outgrows_its_address_space_fails_without_harming_the_host()
    {
        // Reading 600 MB into one shell variable needs more than the 512 MB the tool may map.
        var result = await ExternalProcess.RunAsync(
            "sh",
            ["-c", "cat > /dev/null; x=$(head -c 629145600 /dev/zero | tr '\\0' a); echo ${#x}"],
            TimeSpan.FromSeconds(60),
            CancellationToken.None,
            limits: Limits,
            standardInput: new byte[16]);

        Assert.NotEqual("629145600", result.StandardOutput.Trim());
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
