namespace Maneiro.Testing;

/// <summary>
/// Shell scripts that stand in for a parser (poppler's pdftotext) and misbehave on cue: the document's bytes decide.
/// A document containing <see cref="CrashMarker"/> makes the stand-in die of SIGSEGV, one containing
/// <see cref="HangMarker"/> makes it hang; any other document goes to the real tool.
/// </summary>
public static class StandInTools
{
    public const string CrashMarker = "MANEIRO-TEST-CRASH-PARSER";

    public const string HangMarker = "MANEIRO-TEST-HANG-PARSER";

    /// <summary>A pdftotext that crashes or hangs on cue.</summary>
    public static string MisbehavingPdfToText(string directory) => Write(directory, "pdftotext-stand-in", $"""
        #!/bin/sh
        input="$(mktemp "{directory}/in.XXXXXX")"
        trap 'rm -f "$input"' EXIT
        cat > "$input"
        if grep -q {CrashMarker} "$input"; then rm -f "$input"; kill -SEGV $$; fi
        if grep -q {HangMarker} "$input"; then rm -f "$input"; exec sleep 600; fi
        pdftotext "$@" < "$input"
        """);

    /// <summary>
    /// A pdftotext that takes its host down: it appends a line to <paramref name="log"/>, then SIGKILLs its parent (the
    /// silo that started it), as a parser crash inside the host would.
    /// </summary>
    public static string HostKillingPdfToText(string directory, string log) => Write(directory, "pdftotext-host-killer", $"""
        #!/bin/sh
        echo "killed $PPID" >> "{log}"
        kill -KILL $PPID
        sleep 30
        """);

    /// <summary>A tool that appends a line to <paramref name="log"/> each time it runs, then runs the real one.</summary>
    public static string Counting(string directory, string tool, string log) => Write(directory, tool + "-counting", $"""
        #!/bin/sh
        echo run >> "{log}"
        exec {tool} "$@"
        """);

    private static string Write(string directory, string name, string script)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, script.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}
