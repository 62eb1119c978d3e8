using System.Net;
using System.Net.Http.Json;
using Maneiro.Testing;

namespace Maneiro.Tests.Web;

/// <summary>The analyses list tells analyses apart and finds them: by diagnosis, summary or code, status and day, in the viewer's time zone.</summary>
public sealed class HistorySearchTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task The_history_finds_analyses_by_diagnosis_code_status_and_day_and_shows_times_in_the_viewer_s_zone()
    {
        var (session, email) = await app.SignedInUserAsync("history-search");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var glaucoma = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, glaucoma);
        app.OpenAi.Answer(JobsApp.ModelAnswer(summary: "Type 2 diabetes without complications, well controlled.", code: "E11.9", title: "Type 2 diabetes mellitus without complications", evidence: "diabetes"));
        var diabetes = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote + "\nKnown type 2 diabetes."));
        await JobsApp.WaitForFinishAsync(session, diabetes);
        var waiting = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, await TestDocuments.SpeechWavAsync("Right eye."), "dictation.wav", recording: new Dictionary<string, string> { ["review"] = "true" }));
        await JobsApp.WaitForReviewAsync(session, waiting);

        // Each row shows the patient, the primary diagnosis and the summary's first sentence.
        var (_, all, _) = await session.GetAsync("/");
        Assert.Contains("well controlled.", all, StringComparison.Ordinal);
        Assert.Equal([waiting, diabetes, glaucoma], Rows(all));

        Assert.Equal([diabetes], Rows((await session.GetAsync("/?q=diabetes")).Html));
        Assert.Equal([glaucoma], Rows((await session.GetAsync("/?q=H401112")).Html));
        Assert.Equal([glaucoma], Rows((await session.GetAsync("/?q=h40.1112+glaucoma")).Html));
        Assert.Equal([waiting], Rows((await session.GetAsync("/?status=AwaitingReview")).Html));
        Assert.Equal(2, Rows((await session.GetAsync("/?status=Complete&q=carter")).Html).Count);
        var tomorrow = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var (_, none, _) = await session.GetAsync($"/?from={tomorrow}");
        Assert.Empty(Rows(none));
        Assert.Contains("No analyses match this search.", none, StringComparison.Ordinal);

        // The browser's zone is taken once; the account page's choice wins over it afterwards.
        using var token = await session.Client.GetAsync(new Uri("/api/antiforgery", UriKind.Relative));
        var antiforgery = System.Text.Json.JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement;
        async Task<HttpStatusCode> SuggestAsync(string zone)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/account/timezone") { Content = JsonContent.Create(new { timeZone = zone }) };
            request.Headers.Add(antiforgery.GetProperty("headerName").GetString()!, antiforgery.GetProperty("token").GetString());
            using var response = await session.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.BadRequest, await SuggestAsync("Mars/Olympus_Mons"));
        Assert.Contains("data-timezone-unset=\"true\"", (await session.GetAsync("/")).Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, await SuggestAsync("Asia/Tokyo"));
        var (_, tokyo, _) = await session.GetAsync($"/Jobs/{glaucoma}");
        Assert.Contains("(Asia/Tokyo)", tokyo, StringComparison.Ordinal);
        await session.FollowAsync(await session.SubmitAsync("/Account/Manage", new Dictionary<string, string> { ["timeZone"] = "America/Sao_Paulo" }, handler: "TimeZone"));
        Assert.Equal(HttpStatusCode.NoContent, await SuggestAsync("Asia/Tokyo"));
        Assert.Equal("America/Sao_Paulo", await app.UserGrain(await app.UserIdAsync(email)).TimeZone());
        var (_, home, _) = await session.GetAsync("/");
        Assert.Contains("Started (America/Sao_Paulo)", home, StringComparison.Ordinal);
        Assert.Contains("data-timezone-unset=\"false\"", home, StringComparison.Ordinal);
    }

    private static List<string> Rows(string html) =>
        System.Text.RegularExpressions.Regex.Matches(html, "<tr data-job-id=\"([0-9a-f]{32})\"").Select(m => m.Groups[1].Value).ToList();
}
