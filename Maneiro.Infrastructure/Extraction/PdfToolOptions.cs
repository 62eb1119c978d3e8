namespace Maneiro.Infrastructure.Extraction;

/// <summary>
/// Section <c>Pdf</c>: the poppler tools that parse untrusted PDFs, and the limits each run is held to. Parsing happens
/// only in these child processes, so a document that crashes a parser (a stack overflow, an out-of-memory) ends that
/// child, never a host.
/// </summary>
public sealed class PdfToolOptions
{
    public const string SectionName = "Pdf";

    public string PdfInfoPath { get; set; } = "pdfinfo";

    public string PdfToTextPath { get; set; } = "pdftotext";

    /// <summary>
    /// The built <c>native/pdftext-server</c> (./run and ./test build it under .local/bin; the image under /app/bin):
    /// the same text as pdftotext, each document parsed in a limited child forked from a process that has poppler
    /// loaded already. Empty: pdftotext runs per document.
    /// </summary>
    public string? TextServerPath { get; set; }

    /// <summary>Wall-clock limit per tool run.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>CPU-seconds limit per tool run (the kernel's backstop to <see cref="TimeLimit"/>).</summary>
    public int CpuSeconds { get; set; } = 60;

    /// <summary>Address-space limit per tool run.</summary>
    public int AddressSpaceMegabytes { get; set; } = 1024;

    /// <summary>
    /// Warm workers per text server: an upload's PDF is parsed in its uploader's worker, a child that parses only that
    /// person's documents, one after another, instead of a child forked for each (native/pdftext-server.cc). 0: a child
    /// per document always.
    /// </summary>
    public int WorkersPerServer { get; set; } = 16;

    /// <summary>Documents a worker parses before it is ended and, on the uploader's next document, replaced.</summary>
    public int DocumentsPerWorker { get; set; } = 100;

    /// <summary>How long a worker waits for its uploader's next document before it ends (and its memory with it).</summary>
    public TimeSpan WorkerIdleTime { get; set; } = TimeSpan.FromSeconds(10);

    public ProcessLimits Limits => new((long)AddressSpaceMegabytes * 1024 * 1024, CpuSeconds);
}
