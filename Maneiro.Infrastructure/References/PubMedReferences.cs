using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Maneiro.Infrastructure.References;

/// <summary><c>Ncbi:*</c> settings.</summary>
public sealed class NcbiOptions
{
    public const string SectionName = "Ncbi";

    public string BaseUrl { get; set; } = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/";

    /// <summary>Optional; raises NCBI's limit from 3 to 10 requests a second.</summary>
    public string? ApiKey { get; set; }

    public string Tool { get; set; } = "maneiro";

    public string? Email { get; set; }

    public int RecentYears { get; set; } = 10;

    public int MaxReferences { get; set; } = 8;

    /// <summary>How long a search's or a summary's answer is reused before NCBI is asked again.</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How many searches, and how many summaries, a process keeps at most (the oldest go first).</summary>
    public int CacheEntries { get; set; } = 10_000;
}

/// <summary>
/// Real citations only: guideline searches from a curated per-specialty list, plus NCBI E-utilities searches built
/// from the diagnoses and filtered to guidelines and reviews in humans from recent years. Every PMID shown was
/// returned by esearch and confirmed by esummary; the model never supplies one. Answers are kept for a while (a bounded
/// number, <see cref="NcbiOptions.CacheLifetime"/>), and a search or a summary already being fetched is awaited rather
/// than asked again: requests are spaced to stay under NCBI's rate limit, so without that a burst of analyses on a cold
/// process queued one request each for the same query, and the last of them waited about a minute (the two-silo
/// benchmark's slow runs).
/// </summary>
public sealed partial class PubMedReferences(HttpClient http, IOptions<NcbiOptions> options, NcbiRequestSlots slots, TimeProvider time) : IReferenceFinder
{
    private static readonly JsonSerializerOptions CatalogJson = new() { PropertyNameCaseInsensitive = true };
    private static readonly IReadOnlyList<CuratedGuideline> Catalog = LoadCatalog();
    private readonly ExpiringTaskCache<IReadOnlyList<string>> _searches = new(options.Value.CacheLifetime, options.Value.CacheEntries, time);
    private readonly ExpiringTaskCache<Summary?> _summaries = new(options.Value.CacheLifetime, options.Value.CacheEntries, time);

    /// <summary>Searches and summaries kept now (each bounded by <see cref="NcbiOptions.CacheEntries"/>).</summary>
    public (int Searches, int Summaries) Kept => (_searches.Count, _summaries.Count);

    public async Task<IReadOnlyList<Reference>> FindAsync(ReferenceQuery query, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var topics = string.Join(' ', query.Diagnoses.Concat(query.SearchTerms)).ToLowerInvariant();
        var curatedIds = new List<string>();
        foreach (var guideline in Catalog.Where(g => g.Specialty == query.Specialty && topics.Contains(g.Topic, StringComparison.Ordinal)))
        {
            curatedIds.AddRange((await SearchAsync(guideline.Query, 1, cancellationToken)).Take(1));
        }

        var searchedIds = new List<string>();
        foreach (var diagnosis in query.Diagnoses.Where(d => !string.IsNullOrWhiteSpace(d)).Take(4))
        {
            searchedIds.AddRange(await SearchAsync(DiagnosisQuery(diagnosis, query.PediatricPatient, o.RecentYears), 5, cancellationToken));
        }

        var ids = curatedIds.Concat(searchedIds).Distinct().ToList();
        var summaries = await SummariesAsync(ids, cancellationToken);
        return summaries
            .Select(s => (Summary: s, Curated: curatedIds.Contains(s.Pmid)))
            .OrderByDescending(x => x.Curated)
            .ThenBy(x => Rank(x.Summary.Kinds))
            .ThenByDescending(x => x.Summary.Year)
            .Take(o.MaxReferences)
            .Select((x, i) => new Reference(i + 1, x.Summary.Pmid, x.Summary.Title, x.Summary.Journal, x.Summary.Year, KindLabel(x.Summary.Kinds), x.Curated))
            .ToList();
    }

    /// <summary>Guidelines, systematic reviews, meta-analyses and reviews about the diagnosis, in humans, recent years.</summary>
    public static string DiagnosisQuery(string diagnosis, bool? pediatric, int recentYears)
    {
        var words = CleanTerm().Replace(diagnosis, " ").Trim();
        var query = $"({words}[Title/Abstract]) AND (practice guideline[pt] OR guideline[pt] OR systematic review[pt] OR meta-analysis[pt] OR review[pt]) AND humans[mh] AND \"last {recentYears} years\"[dp]";
        return pediatric switch
        {
            true => query + " AND (child[mh] OR infant[mh] OR adolescent[mh])",
            false => query + " NOT (child[mh] NOT adult[mh])",
            null => query,
        };
    }

    private async Task<IReadOnlyList<string>> SearchAsync(string term, int max, CancellationToken cancellationToken)
    {
        var key = $"{max}|{term}";
        var search = _searches.GetOrStart(key, () => FetchSearchAsync(term, max));
        try
        {
            return await search.WaitAsync(cancellationToken);
        }
        catch (Exception) when (search.IsFaulted || search.IsCanceled)
        {
            // A failed fetch is not kept: the next analysis asks again.
            _searches.Forget(key, search);
            throw;
        }
    }

    // Shared by every caller waiting for this search, so no caller's cancellation stops it (the client's timeout bounds it).
    private async Task<IReadOnlyList<string>> FetchSearchAsync(string term, int max)
    {
        using var json = await GetJsonAsync($"esearch.fcgi?db=pubmed&retmode=json&sort=relevance&retmax={max}&term={Uri.EscapeDataString(term)}", CancellationToken.None);
        return json.RootElement.GetProperty("esearchresult").GetProperty("idlist").EnumerateArray().Select(e => e.GetString()!).Where(IsPmid).ToList();
    }

    private async Task<IReadOnlyList<Summary>> SummariesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        // The ids no one is fetching yet are claimed by this call and fetched in one request; the rest are awaited.
        var claimed = new Dictionary<string, TaskCompletionSource<Summary?>>();
        var waits = new Dictionary<string, Task<Summary?>>();
        foreach (var id in ids.Distinct())
        {
            var mine = new TaskCompletionSource<Summary?>(TaskCreationOptions.RunContinuationsAsynchronously);
            waits[id] = _summaries.GetOrStart(id, () => mine.Task);
            if (waits[id] == mine.Task)
            {
                claimed[id] = mine;
            }
        }

        if (claimed.Count > 0)
        {
            try
            {
                using var json = await GetJsonAsync($"esummary.fcgi?db=pubmed&retmode=json&id={string.Join(',', claimed.Keys)}", CancellationToken.None);
                var result = json.RootElement.GetProperty("result");
                foreach (var (id, summary) in claimed)
                {
                    summary.SetResult(result.TryGetProperty(id, out var item) && !item.TryGetProperty("error", out _) ? Parse(id, item) : null);
                }
            }
            catch (Exception ex)
            {
                foreach (var (id, summary) in claimed)
                {
                    _summaries.Forget(id, summary.Task);
                    summary.TrySetException(ex);
                }

                throw;
            }
        }

        var found = new List<Summary>();
        foreach (var id in ids)
        {
            if (await waits[id].WaitAsync(cancellationToken) is { } summary)
            {
                found.Add(summary);
            }
        }

        return found;
    }

    private static Summary? Parse(string id, JsonElement item)
    {
        var title = item.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
        var journal = item.TryGetProperty("fulljournalname", out var j) ? j.GetString() ?? "" : item.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "";
        var date = item.TryGetProperty("pubdate", out var d) ? d.GetString() ?? "" : "";
        var year = date.Length >= 4 && int.TryParse(date.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : 0;
        var kinds = item.TryGetProperty("pubtype", out var p) ? p.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [];
        return string.IsNullOrWhiteSpace(title) || year == 0 ? null : new Summary(id, title.TrimEnd('.'), journal, year, kinds);
    }

    private async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var url = $"{o.BaseUrl.TrimEnd('/')}/{pathAndQuery}&tool={Uri.EscapeDataString(o.Tool)}"
            + (o.Email is { Length: > 0 } email ? $"&email={Uri.EscapeDataString(email)}" : "")
            + (o.ApiKey is { Length: > 0 } key ? $"&api_key={Uri.EscapeDataString(key)}" : "");

        // Space requests across the deployment: 3 a second without an API key, 10 with one.
        await slots.WaitForSlotAsync(TimeSpan.FromMilliseconds(string.IsNullOrEmpty(o.ApiKey) ? 350 : 110), cancellationToken);

        using var response = await http.GetAsync(new Uri(url), cancellationToken);
        response.EnsureSuccessStatusCode();
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
    }

    private static int Rank(IReadOnlyList<string> kinds) =>
        kinds.Any(k => k.Contains("Guideline", StringComparison.OrdinalIgnoreCase)) ? 0
        : kinds.Any(k => k.Contains("Meta-Analysis", StringComparison.OrdinalIgnoreCase) || k.Contains("Systematic Review", StringComparison.OrdinalIgnoreCase)) ? 1
        : kinds.Any(k => k.Equals("Review", StringComparison.OrdinalIgnoreCase)) ? 2
        : 3;

    private static string KindLabel(IReadOnlyList<string> kinds) => Rank(kinds) switch
    {
        0 => "Guideline",
        1 => "Systematic review / meta-analysis",
        2 => "Review",
        _ => "Article",
    };

    private static bool IsPmid(string id) => id.Length is > 0 and <= 9 && id.All(char.IsAsciiDigit);

    private static List<CuratedGuideline> LoadCatalog()
    {
        using var stream = typeof(PubMedReferences).Assembly.GetManifestResourceStream("Maneiro.References.guidelines.json")!;
        return JsonSerializer.Deserialize<List<CuratedGuideline>>(stream, CatalogJson)!;
    }

    [GeneratedRegex(@"[^\p{L}\p{N}\- ]+")]
    private static partial Regex CleanTerm();

    private sealed record Summary(string Pmid, string Title, string Journal, int Year, IReadOnlyList<string> Kinds);

    private sealed record CuratedGuideline(string Specialty, string Society, string Topic, string Query);
}
