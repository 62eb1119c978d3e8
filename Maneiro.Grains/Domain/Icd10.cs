using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Grains.Domain;

public sealed record Icd10Entry(string Code, bool Billable, string Description)
{
    /// <summary>The code as written in records: a dot after the category (H40.1131).</summary>
    public string Dotted => Icd10Catalog.Dotted(Code);
}

/// <summary>What checking one code found: its result, the official entry, and for a header its billable children.</summary>
public sealed record Icd10Finding(CodeCheck Check, Icd10Entry? Entry, IReadOnlyList<Icd10Entry> BillableChildren, string Reason);

/// <summary>
/// ICD-10-CM codes checked against an official table (the bundled FY2022 order file, or a newer one configured) and
/// the three-character categories of a later release, which tell a code that may be newer than the table apart from
/// one that cannot exist. Immutable once loaded; built off the Orleans scheduler at start-up.
/// </summary>
public sealed partial class Icd10Catalog
{
    private const int MostChildrenListed = 10;
    private readonly Dictionary<string, Icd10Entry> _entries;
    private readonly HashSet<string> _laterCategories;
    private readonly string[] _sortedCodes;

    public Icd10Catalog(IEnumerable<Icd10Entry> entries, IEnumerable<string> laterCategories, string tableName)
    {
        _entries = new Dictionary<string, Icd10Entry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            _entries[entry.Code] = entry;
        }

        _laterCategories = laterCategories.Select(c => c.Trim().ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        _sortedCodes = [.. _entries.Keys.Order(StringComparer.Ordinal)];
        TableName = tableName;
    }

    /// <summary>No table at all: every well-formed code is "unverified" (kept for tests of that state).</summary>
    public static Icd10Catalog NotInstalled { get; } = new([], [], "");

    /// <summary>Which table codes are checked against ("ICD-10-CM FY2022").</summary>
    public string TableName { get; }

    public bool Installed => _entries.Count > 0;

    public int Count => _entries.Count;

    public int BillableCount => _entries.Values.Count(e => e.Billable);

    /// <summary>A letter, then two letters or digits (A00, QA0, U07), then an optional dot and up to four characters.</summary>
    public static bool HasValidFormat(string code)
    {
        var written = code.Trim().ToUpperInvariant();
        return written.Contains('.', StringComparison.Ordinal) ? FormatPattern().IsMatch(written) : UndottedPattern().IsMatch(written);
    }

    /// <summary>Upper case, without spaces, with the dot after the category (an undotted H401131 becomes H40.1131).</summary>
    public static string Normalize(string code)
    {
        var key = Key(code);
        return key.Length > 3 ? key[..3] + "." + key[3..] : key;
    }

    public static string Dotted(string key) => key.Length > 3 ? key[..3] + "." + key[3..] : key;

    /// <summary>Reads the official order file (order, code, billable flag, short and long description in fixed columns) or codes file (code, description; every code billable).</summary>
    public static IEnumerable<Icd10Entry> ReadTable(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            if (line.Length < 8)
            {
                continue;
            }

            // Order file columns: order 0-4, code 6-12, billable flag 14, short description 16-75, long description 77-.
            if (IsOrderLine(line))
            {
                var code = line.Substring(6, 7).Trim();
                yield return new Icd10Entry(code, line[14] == '1', line.Length > 77 ? line[77..].Trim() : line[16..].Trim());
            }
            else
            {
                var code = line[..Math.Min(8, line.Length)].Trim();
                yield return new Icd10Entry(code, true, line[Math.Min(8, line.Length)..].Trim());
            }
        }
    }

    /// <summary>A line of the order format: the order number, then the code, then the billable flag, in fixed columns.</summary>
    public static bool IsOrderLine(string line) =>
        line.Length > 16 && char.IsDigit(line[0]) && line[5] == ' ' && line[13] == ' ' && line[14] is '0' or '1' && line[15] == ' ';

    /// <summary>The category codes of a release's category list (CSV with a header row; the code in the first column).</summary>
    public static IEnumerable<string> ReadCategories(TextReader reader)
    {
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var code = line.Split(',', 2)[0].Trim();
            if (code.Length == 3)
            {
                yield return code;
            }
        }
    }

    /// <summary>
    /// A codes file (billable codes only, no headers) laid over this table: billable status and descriptions from the
    /// newer file, headers kept from this one; codes the newer file no longer lists are no longer billable.
    /// </summary>
    public Icd10Catalog MergedWith(IEnumerable<Icd10Entry> newerBillable, string tableName)
    {
        var merged = _entries.Values.ToDictionary(e => e.Code, e => e with { Billable = false }, StringComparer.Ordinal);
        foreach (var entry in newerBillable)
        {
            merged[entry.Code] = entry with { Billable = true };
        }

        return new Icd10Catalog(merged.Values, _laterCategories, tableName);
    }

    public Icd10Finding Check(string code)
    {
        if (!HasValidFormat(code))
        {
            return new(CodeCheck.Invalid, null, [], "It is not written like an ICD-10-CM code.");
        }

        if (!Installed)
        {
            return new(CodeCheck.Unverified, null, [], "No ICD-10-CM table is loaded.");
        }

        var key = Key(code);
        if (_entries.TryGetValue(key, out var entry))
        {
            return entry.Billable
                ? new(CodeCheck.Valid, entry, [], $"Valid and billable in {TableName}.")
                : new(CodeCheck.NotBillable, entry, ChildrenOf(key), $"A category in {TableName}, not a billable code: it needs more characters.");
        }

        var category = key[..3];
        return _entries.ContainsKey(category) || _laterCategories.Contains(category)
            ? new(CodeCheck.Verify, null, [], $"Not in {TableName}; its category exists, so it may be a newer code. Verify it against the current code set.")
            : new(CodeCheck.Invalid, null, [], $"No such code: its category {category} is in neither {TableName} nor the 2026 category list.");
    }

    private List<Icd10Entry> ChildrenOf(string key)
    {
        var start = Array.BinarySearch(_sortedCodes, key, StringComparer.Ordinal);
        start = start < 0 ? ~start : start + 1;
        List<Icd10Entry> children = [];
        for (var i = start; i < _sortedCodes.Length && _sortedCodes[i].StartsWith(key, StringComparison.Ordinal) && children.Count < MostChildrenListed; i++)
        {
            if (_entries[_sortedCodes[i]] is { Billable: true } child)
            {
                children.Add(child);
            }
        }

        return children;
    }

    private static string Key(string code) => code.Trim().ToUpperInvariant().Replace(".", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
    private static partial Regex FormatPattern();

    [GeneratedRegex(@"^[A-Z][0-9A-Z][0-9A-Z][0-9A-Z]{0,4}$")]
    private static partial Regex UndottedPattern();
}
