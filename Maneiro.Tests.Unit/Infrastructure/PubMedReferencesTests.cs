using Maneiro.Grains.Services;
using Maneiro.Infrastructure.References;
using Maneiro.Testing;
using Microsoft.Extensions.Options;

namespace Maneiro.Tests.Unit.Infrastructure;

/// <summary>
/// The cause of the two-silo benchmark's slow runs: analyses arriving together on a process with a cold reference cache
/// each queued their own requests for the same searches behind the rate-limit spacing, and the last waited about a
/// minute in Referencing. A search or summary already being fetched is now awaited, not asked again.
/// </summary>
public sealed class PubMedReferencesTests
{
    private static readonly ReferenceQuery Glaucoma = new("ophthalmology", ["Primary open-angle glaucoma, right eye"], [], false);

    [Fact]
    public async Task Analyses_needing_the_same_references_at_once_share_one_request_per_search_and_summary()
    {
        await using var pubMed = await FakeEutils.StartAsync();
        using var http = new HttpClient();
        var references = new PubMedReferences(http, Options.Create(new NcbiOptions { BaseUrl = pubMed.BaseUrl.ToString() }), new NcbiRequestSlots(null, "unused", TimeProvider.System), TimeProvider.System);
        pubMed.Gate.Hold();

        // Ten analyses ask while the first request is still unanswered (each call passes its cache check before yielding).
        var lookups = Enumerable.Range(0, 10).Select(_ => references.FindAsync(Glaucoma, CancellationToken.None)).ToList();
        await pubMed.Gate.WaitUntilHeldAsync(1, "E-utilities");
        pubMed.Gate.Release();
        var found = await Task.WhenAll(lookups);

        Assert.All(found, list => Assert.Equal(["31000001", "32000002", "33000003"], list.Select(r => r.Pmid).ToArray()));
        var requests = pubMed.Requests.Select(r => r.PathAndQuery).ToList();
        Assert.Equal(2, requests.Count(r => r.Contains("esearch.fcgi", StringComparison.Ordinal)));
        Assert.Single(requests, r => r.Contains("esummary.fcgi", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_search_is_not_kept_and_the_next_analysis_asks_again()
    {
        await using var pubMed = await FakeEutils.StartAsync();
        using var http = new HttpClient();
        var references = new PubMedReferences(http, Options.Create(new NcbiOptions { BaseUrl = pubMed.BaseUrl.ToString() }), new NcbiRequestSlots(null, "unused", TimeProvider.System), TimeProvider.System);

        pubMed.FailWith = 503;
        await Assert.ThrowsAsync<HttpRequestException>(() => references.FindAsync(Glaucoma, CancellationToken.None));

        pubMed.FailWith = null;
        var found = await references.FindAsync(Glaucoma, CancellationToken.None);
        Assert.Equal(3, found.Count);
    }

    [Fact]
    public async Task Answers_are_reused_for_a_day_then_asked_for_again()
    {
        await using var pubMed = await FakeEutils.StartAsync();
        using var http = new HttpClient();
        var clock = new ManualClock();
        var references = new PubMedReferences(http, Options.Create(new NcbiOptions { BaseUrl = pubMed.BaseUrl.ToString() }), new NcbiRequestSlots(null, "unused", clock), clock);

        await references.FindAsync(Glaucoma, CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(23));
        await references.FindAsync(Glaucoma, CancellationToken.None);
        Assert.Equal(3, pubMed.Requests.Count());

        clock.Advance(TimeSpan.FromHours(1));
        var found = await references.FindAsync(Glaucoma, CancellationToken.None);

        Assert.Equal(6, pubMed.Requests.Count());
        Assert.Equal(["31000001", "32000002", "33000003"], found.Select(r => r.Pmid).ToArray());
    }

    [Fact]
    public async Task A_process_keeps_no_more_searches_than_its_limit_however_many_diagnoses_it_sees()
    {
        await using var pubMed = await FakeEutils.StartAsync();
        using var http = new HttpClient();
        var references = new PubMedReferences(http, Options.Create(new NcbiOptions { BaseUrl = pubMed.BaseUrl.ToString(), CacheEntries = 5 }), new NcbiRequestSlots(null, "unused", TimeProvider.System), TimeProvider.System);

        for (var i = 0; i < 12; i++)
        {
            await references.FindAsync(new ReferenceQuery("ophthalmology", [$"Diagnosis number {i}"], [], false), CancellationToken.None);
        }

        Assert.InRange(references.Kept.Searches, 1, 5);
        Assert.Equal(12, pubMed.Requests.Count(r => r.PathAndQuery.Contains("esearch.fcgi", StringComparison.Ordinal)));
    }
}
