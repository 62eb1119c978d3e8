using System.IO.Compression;
using System.Text.RegularExpressions;
using Maneiro.Grains.Domain;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>
/// Loads the ICD-10-CM table at start-up: the bundled CDC/NCHS FY2022 order file and the April 2026 category list
/// (embedded, compressed), and, when <c>Icd10:CodesFile</c> names a newer official file (order or codes format, plain
/// or .gz), that file: an order file replaces the bundled table, a codes file is merged over it. A configured file that
/// cannot be read stops start-up: codes are never silently checked against less than was asked for.
/// </summary>
public static partial class Icd10Tables
{
    public const string BundledTableName = "ICD-10-CM FY2022";

    public static Icd10Catalog Load(string? configuredPath)
    {
        List<string> categories;
        using (var reader = OpenEmbedded("icd10cm-categories-2026-04.csv.gz"))
        {
            categories = [.. Icd10Catalog.ReadCategories(reader)];
        }

        Icd10Catalog bundled;
        using (var reader = OpenEmbedded("icd10cm-order-2022.txt.gz"))
        {
            bundled = new Icd10Catalog([.. Icd10Catalog.ReadTable(reader)], categories, BundledTableName);
        }
        if (string.IsNullOrWhiteSpace(configuredPath))
        {
            return bundled;
        }

        try
        {
            List<Icd10Entry> entries;
            using (var reader = OpenFile(configuredPath))
            {
                entries = [.. Icd10Catalog.ReadTable(reader)];
            }

            if (entries.Count == 0)
            {
                throw new InvalidDataException("it holds no codes");
            }

            // Order files list headers (not billable); a codes file lists billable codes only.
            var name = TableNameOf(configuredPath);
            return IsOrderFile(configuredPath) ? new Icd10Catalog(entries, categories, name) : bundled.MergedWith(entries, name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InvalidOperationException(
                $"Icd10:CodesFile is set to '{configuredPath}', which cannot be read ({ex.Message}). Fix the path, or remove the setting to check codes against the bundled {BundledTableName} table.",
                ex);
        }
    }

    private static bool IsOrderFile(string path)
    {
        using var reader = OpenFile(path);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length >= 8)
            {
                return Icd10Catalog.IsOrderLine(line);
            }
        }

        return false;
    }

    /// <summary>The name of the table codes are checked against: the configured file's, or the bundled one's.</summary>
    public static string NameFor(string? configuredPath) => string.IsNullOrWhiteSpace(configuredPath) ? BundledTableName : TableNameOf(configuredPath);

    /// <summary>"ICD-10-CM FY2026" for icd10cm-codes-2026.txt; the file name when it names no year.</summary>
    private static string TableNameOf(string path)
    {
        var name = Path.GetFileName(path);
        return Year().Match(name) is { Success: true } year ? $"ICD-10-CM FY{year.Groups[1].Value}" : $"ICD-10-CM ({name})";
    }

    private static StreamReader OpenEmbedded(string name)
    {
        var stream = typeof(Icd10Tables).Assembly.GetManifestResourceStream("Maneiro.Data." + name)
            ?? throw new InvalidOperationException($"The bundled table {name} is missing from the build.");
        return new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
    }

    /// <summary>Plain or gzip, told by the file's first bytes rather than its name.</summary>
    private static StreamReader OpenFile(string path)
    {
        var file = File.OpenRead(path);
        var magic = new byte[2];
        var read = file.Read(magic, 0, 2);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B
            ? new StreamReader(new GZipStream(file, CompressionMode.Decompress))
            : new StreamReader(file);
    }

    [GeneratedRegex(@"[-_](20\d\d)(?=[-_.])")]
    private static partial Regex Year();
}
