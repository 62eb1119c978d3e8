using System.Text.Json.Nodes;
using System.Web;
using Microsoft.AspNetCore.Http;

namespace Maneiro.Testing;

/// <summary>NCBI E-utilities (esearch and esummary, JSON) on loopback, with a few PubMed records.</summary>
public sealed class FakeEutils : IAsyncDisposable
{
    private FakeHttpServer _server = null!;

    /// <summary>When set, every request fails with this status (PubMed unreachable).</summary>
    public int? FailWith { get; set; }

    public Uri BaseUrl => new(_server.BaseAddress, "/entrez/eutils/");

    /// <summary>Holds every request from now on until released (see <see cref="RequestGate"/>).</summary>
    public RequestGate Gate { get; } = new();

    public IEnumerable<RecordedRequest> Requests => _server.Requests;

    public static readonly Dictionary<string, (string Title, string Journal, string Date, string[] Types)> Records = new()
    {
        ["31000001"] = ("Primary Open-Angle Glaucoma Preferred Practice Pattern", "Ophthalmology", "2021 Jan", ["Journal Article", "Practice Guideline"]),
        ["32000002"] = ("Medical treatment of open-angle glaucoma: a network meta-analysis", "JAMA Ophthalmology", "2023 Mar", ["Journal Article", "Systematic Review", "Meta-Analysis"]),
        ["33000003"] = ("Glaucoma: a review", "Lancet", "2022 Jun", ["Journal Article", "Review"]),
    };

    public static async Task<FakeEutils> StartAsync()
    {
        var fake = new FakeEutils();
        fake._server = await FakeHttpServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(RecordedRequest request, HttpResponse response)
    {
        await Gate.PassAsync();
        if (FailWith is { } status)
        {
            response.StatusCode = status;
            return;
        }

        var query = HttpUtility.ParseQueryString(new Uri("http://x" + request.PathAndQuery).Query);
        response.ContentType = "application/json";
        if (request.PathAndQuery.Contains("esearch.fcgi", StringComparison.Ordinal))
        {
            var term = query["term"] ?? "";
            string[] ids = term.Contains("Preferred Practice Pattern", StringComparison.Ordinal) ? ["31000001"]
                : term.Contains("glaucoma", StringComparison.OrdinalIgnoreCase) && term.Contains("review[pt]", StringComparison.Ordinal) ? ["33000003", "32000002"]
                : [];
            await response.WriteAsync(new JsonObject { ["esearchresult"] = new JsonObject { ["count"] = ids.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ["idlist"] = new JsonArray(ids.Select(i => (JsonNode?)i).ToArray()) } }.ToJsonString());
            return;
        }

        if (request.PathAndQuery.Contains("esummary.fcgi", StringComparison.Ordinal))
        {
            var ids = (query["id"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            var result = new JsonObject { ["uids"] = new JsonArray(ids.Select(i => (JsonNode?)i).ToArray()) };
            foreach (var id in ids)
            {
                result[id] = Records.TryGetValue(id, out var r)
                    ? new JsonObject { ["uid"] = id, ["title"] = r.Title + ".", ["fulljournalname"] = r.Journal, ["pubdate"] = r.Date, ["pubtype"] = new JsonArray(r.Types.Select(t => (JsonNode?)t).ToArray()) }
                    : new JsonObject { ["uid"] = id, ["error"] = "cannot get document summary" };
            }

            await response.WriteAsync(new JsonObject { ["result"] = result }.ToJsonString());
            return;
        }

        response.StatusCode = 404;
    }
}
