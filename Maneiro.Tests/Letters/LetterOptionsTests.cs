using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;

namespace Maneiro.Tests.Letters;

/// <summary>Tone, level of detail and purpose are asked of the model, kept with the letter and shown on its page; the editor shows the printed page and what the text uses.</summary>
public sealed class LetterOptionsTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task An_appeal_in_a_warm_brief_tone_is_asked_for_as_such_quotes_the_denial_and_says_so_on_its_page()
    {
        var (session, _) = await app.SignedInUserAsync("options");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);
        app.OpenAi.AnswerLetters(LetterSamples.Draft());

        var response = await session.SubmitAsync($"/Jobs/{jobId}", Form(LetterKind.PriorAuthorization, "Warm", "Brief", "DenialAppeal", "Not medically necessary: conservative therapy not tried."), handler: "Letter");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var letterId = response.Headers.Location!.OriginalString["/Letters/".Length..];
        var letter = await JobsApp.WaitForLetterAsync(session, letterId);
        Assert.Equal(("Warm", "Brief", "DenialAppeal"), (letter.GetProperty("tone").GetString(), letter.GetProperty("detail").GetString(), letter.GetProperty("purpose").GetString()));

        var prompt = app.OpenAi.LetterRequests[^1];
        Assert.Contains("Tone: Warm and reassuring", prompt, StringComparison.Ordinal);
        Assert.Contains("Level of detail: Brief", prompt, StringComparison.Ordinal);
        Assert.Contains("Purpose: Appeal of a denial", prompt, StringComparison.Ordinal);
        Assert.Contains("DENIAL REASON", prompt, StringComparison.Ordinal);
        Assert.Contains("conservative therapy not tried", prompt, StringComparison.Ordinal);

        var (_, page, _) = await session.GetAsync($"/Letters/{letterId}");
        Assert.Contains("Warm and reassuring · Brief · Appeal of a denial", System.Net.WebUtility.HtmlDecode(page), StringComparison.Ordinal);

        // A default insurance letter is a prior authorization; a patient letter may be a results letter.
        app.OpenAi.AnswerLetters(LetterSamples.Draft(), LetterSamples.Draft());
        var insurance = (await session.SubmitAsync($"/Jobs/{jobId}", Form(LetterKind.PriorAuthorization, "Professional", "Standard", "Default", "ignored without an appeal"), handler: "Letter")).Headers.Location!.OriginalString["/Letters/".Length..];
        var first = await JobsApp.WaitForLetterAsync(session, insurance);
        Assert.Equal("PriorAuthorization", first.GetProperty("purpose").GetString());
        Assert.DoesNotContain("DENIAL REASON", app.OpenAi.LetterRequests[^1], StringComparison.Ordinal);
        var results = (await session.SubmitAsync($"/Jobs/{jobId}", Form(LetterKind.PatientSummary, "Simple", "Detailed", "ResultsNeedFollowUp", null), handler: "Letter")).Headers.Location!.OriginalString["/Letters/".Length..];
        await JobsApp.WaitForLetterAsync(session, results);
        Assert.Contains("some results need follow-up", app.OpenAi.LetterRequests[^1], StringComparison.Ordinal);
        Assert.Contains("Tone: Simple and clear", app.OpenAi.LetterRequests[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_purpose_that_does_not_fit_the_kind_is_refused_with_a_message_and_nothing_is_drafted()
    {
        var (session, _) = await app.SignedInUserAsync("options-refused");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);
        var before = app.OpenAi.LetterCalls;

        var response = await session.SubmitAsync($"/Jobs/{jobId}", Form(LetterKind.Referral, "Professional", "Standard", "DenialAppeal", null), handler: "Letter");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("cannot be a", System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, app.OpenAi.LetterCalls);
    }

    [Fact]
    public async Task The_editor_shows_the_saved_version_as_it_will_print_and_which_references_and_codes_the_text_uses()
    {
        var (session, _) = await app.SignedInUserAsync("preview");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);
        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: ("Reason", ["Moderate glaucoma (H40.1112) [1], not asthma J45.909."])));
        var letterId = (await session.SubmitAsync($"/Jobs/{jobId}", Form(LetterKind.Referral, "Professional", "Standard", "Default", null), handler: "Letter")).Headers.Location!.OriginalString["/Letters/".Length..];
        await JobsApp.WaitForLetterAsync(session, letterId);

        var (_, page, _) = await session.GetAsync($"/Letters/{letterId}");
        Assert.Contains($"src=\"/letters/{letterId}/preview/1?v=1\"", page, StringComparison.Ordinal);
        Assert.Matches("<ol class=\"plain-list\" id=\"cited\">\\s*<li>\\[1\\] ", page);
        Assert.Contains("H40.1112 — valid, billable: printed", WebUtility.HtmlDecode(page), StringComparison.Ordinal);

        using var png = await session.Client.GetAsync(new Uri($"/letters/{letterId}/preview/1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, (await png.Content.ReadAsByteArrayAsync())[..4]);

        var (stranger, _) = await app.SignedInUserAsync("preview-stranger");
        using var refused = await stranger.Client.GetAsync(new Uri($"/letters/{letterId}/preview/1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    private static Dictionary<string, string> Form(LetterKind kind, string tone, string detail, string purpose, string? denialReason)
    {
        var form = new Dictionary<string, string>
        {
            ["Letter.Kind"] = kind.ToString(),
            ["Letter.Language"] = "en",
            ["Letter.RecipientName"] = "Utilization review",
            ["Letter.Tone"] = tone,
            ["Letter.Detail"] = detail,
            ["Letter.Purpose"] = purpose,
        };
        if (denialReason is not null)
        {
            form["Letter.DenialReason"] = denialReason;
        }

        return form;
    }
}
