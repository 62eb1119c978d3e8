using Maneiro.Infrastructure.References;
using Maneiro.Testing;

namespace Maneiro.Tests.Jobs;

public sealed class ReferenceTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task References_are_fetched_from_pubmed_verified_ranked_guideline_first_and_model_numbers_are_never_used()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.PubMed.FailWith = null;
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        var job = await JobsApp.WaitForFinishAsync(session, jobId);

        var references = job.GetProperty("result").GetProperty("references").EnumerateArray().ToList();
        Assert.Equal(["31000001", "32000002", "33000003"], references.Select(r => r.GetProperty("pmid").GetString()!).ToArray());
        Assert.True(references[0].GetProperty("curated").GetBoolean());
        Assert.Equal("Guideline", references[0].GetProperty("kind").GetString());
        Assert.Equal("Systematic review / meta-analysis", references[1].GetProperty("kind").GetString());
        Assert.All(references, r => Assert.True(FakeEutils.Records.ContainsKey(r.GetProperty("pmid").GetString()!)));
        // The model's reference numbers (1, 2, 3) were dropped, not mapped onto anything.
        Assert.Empty(job.GetProperty("result").GetProperty("diagnoses")[0].GetProperty("referenceNumbers").EnumerateArray());

        var searches = app.PubMed.Requests.Where(r => r.PathAndQuery.Contains("esearch", StringComparison.Ordinal)).Select(r => Uri.UnescapeDataString(r.PathAndQuery)).ToList();
        Assert.Contains(searches, s => s.Contains("humans[mh]", StringComparison.Ordinal) && s.Contains("practice guideline[pt]", StringComparison.Ordinal) && s.Contains("last 10 years", StringComparison.Ordinal));
        Assert.All(app.PubMed.Requests, r => Assert.Contains("tool=maneiro", r.PathAndQuery, StringComparison.Ordinal));

        var (_, page, _) = await session.GetAsync($"/Jobs/{jobId}");
        Assert.Contains("https://pubmed.ncbi.nlm.nih.gov/31000001/", page, StringComparison.Ordinal);
        session.Dispose();
    }

    [Fact]
    public async Task When_pubmed_is_unreachable_the_job_completes_without_references_and_says_so()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer(title: "Anterior uveitis, right eye"));
        app.PubMed.FailWith = 503;
        try
        {
            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote.Replace("glaucoma", "uveitis", StringComparison.Ordinal), specialty: "auto"));
            var job = await JobsApp.WaitForFinishAsync(session, jobId);
            Assert.Equal("Complete", JobsApp.StageOf(job));
            Assert.Empty(job.GetProperty("result").GetProperty("references").EnumerateArray());
            Assert.Contains(job.GetProperty("result").GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("PubMed could not be reached", StringComparison.Ordinal));
        }
        finally
        {
            app.PubMed.FailWith = null;
            session.Dispose();
        }
    }

    [Theory]
    [InlineData(true, "AND (child[mh] OR infant[mh] OR adolescent[mh])")]
    [InlineData(false, "NOT (child[mh] NOT adult[mh])")]
    public void Age_filters_keep_pediatric_and_adult_papers_apart(bool pediatric, string expected) =>
        Assert.EndsWith(expected, PubMedReferences.DiagnosisQuery("Asthma <script>", pediatric, 10), StringComparison.Ordinal);
}
