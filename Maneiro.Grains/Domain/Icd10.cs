using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain;

public sealed record Icd10Entry(string Code, bool Billable, string Description);

/// <summary>ICD-10-CM codes: the format rule always, and membership against the official CMS/CDC code file when installed.</summary>
public sealed partial class Icd10Catalog
{
    private readonly Dictionary<string, Icd10Entry>? _entries;

    private Icd10Catalog(Dictionary<string, Icd10Entry>? entries) => _entries = entries;

    public static Icd10Catalog NotInstalled { get; } = new(null);

    public bool Installed => _entries is not null;

    public int Count => _entries?.Count ?? 0;

    /// <summary>Letter, digit, digit-or-letter, then an optional dot and up to four characters (A00.0, H40.1131).</summary>
    public static bool HasValidFormat(string code) => FormatPattern().IsMatch(code.Trim().ToUpperInvariant());

    /// <summary>
    /// Loads the official file: either the order file (<c>icd10cm-order-YYYY.txt</c>: order, code, billable flag,
    /// short and long description in fixed columns) or the codes file (<c>icd10cm-codes-YYYY.txt</c>: code, then the
    /// description; every code in it is billable). Codes in the files have no dot.
    /// </summary>
    public static Icd10Catalog Load(string path)
    {
        var entries = new Dictionary<string, Icd10Entry>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length < 8)
            {
                continue;
            }

            // Order file columns: order 0-4, code 6-12, billable flag 14, short description 16-75, long description 77-.
            if (line.Length > 16 && char.IsDigit(line[0]) && line[5] == ' ' && line[13] == ' ' && line[14] is '0' or '1' && line[15] == ' ')
            {
                var code = line.Substring(6, 7).Trim();
                var description = line.Length > 77 ? line[77..].Trim() : line[16..].Trim();
                entries[code] = new Icd10Entry(code, line[14] == '1', description);
            }
            else
            {
                var code = line[..Math.Min(8, line.Length)].Trim();
                entries[code] = new Icd10Entry(code, true, line[Math.Min(8, line.Length)..].Trim());
            }
        }

        return new Icd10Catalog(entries);
    }

    public (CodeCheck Check, Icd10Entry? Entry) Check(string code)
    {
        if (!HasValidFormat(code))
        {
            return (CodeCheck.Invalid, null);
        }

        if (_entries is null)
        {
            return (CodeCheck.Unverified, null);
        }

        var key = code.Trim().ToUpperInvariant().Replace(".", "", StringComparison.Ordinal);
        return _entries.TryGetValue(key, out var entry) ? (CodeCheck.Valid, entry) : (CodeCheck.Invalid, null);
    }

    [GeneratedRegex(@"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
    private static partial Regex FormatPattern();
}
