using System.Net;
using System.Text.Json;
using Maneiro.Testing;

namespace Maneiro.Tests.Web;

/// <summary>Findings of the security review fixed in passing (issue 14, items 11, 12, 15).</summary>
public sealed class HardeningTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Theory]
    [InlineData("/Account/Manage")]
    [InlineData("/Account/Manage/ChangePassword")]
    [InlineData("/Account/Manage/Letterhead")]
    [InlineData("/Account/Manage/TwoFactor")]
    public async Task Account_management_pages_send_an_anonymous_visitor_to_sign_in(string path)
    {
        using var anonymous = app.NewSession();
        var (status, _, location) = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.StartsWith("/Account/Login", location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_and_delete_without_an_antiforgery_token_answer_400_with_the_reason()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);

        foreach (var request in new[] { new HttpRequestMessage(HttpMethod.Post, $"/api/jobs/{jobId}/cancel"), new HttpRequestMessage(HttpMethod.Delete, $"/api/jobs/{jobId}") })
        {
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await session.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("form expired", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
            request.Dispose();
        }

        // Nothing was deleted.
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync($"/Jobs/{jobId}")).Status);
        session.Dispose();
    }

    [Fact]
    public async Task Pages_and_json_with_patient_data_are_never_cached()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);

        foreach (var path in new[] { "/", $"/Jobs/{jobId}", $"/api/jobs/{jobId}" })
        {
            using var response = await session.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path} answered Cache-Control: {response.Headers.CacheControl}");
        }

        session.Dispose();
    }
}
