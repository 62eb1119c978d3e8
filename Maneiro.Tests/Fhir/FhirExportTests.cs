using System.Net;
using System.Text.Json;
// The Firely models mark every element nullable; these tests assert the elements are there.
#nullable disable warnings
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Hl7.Fhir.Serialization;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Web.Fhir;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Fhir;

/// <summary>The jobs app with a FHIR server of the test's own, reached through a DNS the test scripts.</summary>
public sealed class FhirApp : JobsApp
{
    public FhirApp()
        : this(new FhirPart())
    {
    }

    private FhirApp(FhirPart fhir)
        : base(b => b.With(fhir).ConfigureHost(h => h.ConfigureTestServices(s => s.AddSingleton<FhirHostResolver>(fhir.Hosts))))
    {
        Fhir = fhir;
    }

    public FhirPart Fhir { get; }
}

/// <summary>
/// An analysis into the record: downloaded as a validated FHIR document (with a signed letter's PDF), sent as a
/// transaction to the clinic's FHIR server, which only admins configure, only over https to public addresses.
/// </summary>
public sealed class FhirExportTests(FhirApp app) : IClassFixture<FhirApp>
{
    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private FhirBundleValidator Validator => app.Factory.Services.GetRequiredService<FhirBundleValidator>();

    private async Task<(string JobId, string LetterId)> AnalyzedWithLetterAsync(BrowserSession session)
    {
        app.OpenAi.Answer(JobsApp.ModelAnswer(birthDate: "1958-03-14", recordNumber: "MRN-448812", encounterDate: "2026-11-30"));
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        await JobsApp.WaitForFinishAsync(session, jobId);
        var drafted = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "en", ["Letter.RecipientName"] = "Dr. Ana Silva" }, handler: "Letter");
        var letterId = drafted.Headers.Location!.OriginalString["/Letters/".Length..];
        await JobsApp.WaitForLetterAsync(session, letterId);
        return (jobId, letterId);
    }

    private async Task ConnectAsync(BrowserSession admin, string? baseUrl = null, string token = FhirPart.Token)
    {
        using var saved = await admin.SubmitAsync("/Clinic/Record", new Dictionary<string, string> { ["BaseUrl"] = baseUrl ?? app.Fhir.BaseUrl, ["IdentifierSystem"] = "urn:oid:2.16.840.1.113883.19.5", ["Token"] = token });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
    }

    private static async Task<string> SendAsync(BrowserSession session, string jobId, string letterId = "", bool again = false)
    {
        using var sent = await session.SubmitAsync($"/Jobs/{jobId}/Record", new Dictionary<string, string> { ["Letter"] = letterId, ["SendAgain"] = again ? "true" : "false" }, handler: "Send");
        return WebUtility.HtmlDecode(await sent.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_analysis_downloads_as_a_valid_fhir_document_with_its_signed_letter_as_pdf()
    {
        var (session, _) = await app.SignedInUserAsync("fhir-download");
        var (jobId, letterId) = await AnalyzedWithLetterAsync(session);

        var (_, page, _) = await session.GetAsync($"/Jobs/{jobId}/Record");
        Assert.Contains("(signed; included as its PDF)", page, StringComparison.Ordinal);

        using var download = await session.SubmitAsync($"/Jobs/{jobId}/Record", new Dictionary<string, string> { ["Letter"] = letterId }, handler: "Download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/fhir+json", download.Content.Headers.ContentType?.MediaType);
        var bundle = JsonSerializer.Deserialize<Bundle>(await download.Content.ReadAsStringAsync(), Fhir)!;

        Assert.Empty(Validator.Errors(bundle));
        Assert.Equal(Bundle.BundleType.Document, bundle.Type);
        var patient = bundle.Entry.Select(e => e.Resource).OfType<Patient>().Single();
        Assert.Equal(("John Carter", "1958-03-14", "MRN-448812"), (patient.Name[0].Text, patient.BirthDate, patient.Identifier[0].Value));
        var condition = bundle.Entry.Select(e => e.Resource).OfType<Condition>().Single();
        Assert.Equal("H40.1112", condition.Code.Coding.Single(c => c.System == FhirDocumentBuilder.Icd10Cm).Code);
        var letter = bundle.Entry.Select(e => e.Resource).OfType<DocumentReference>().Single();
        Assert.Equal("%PDF"u8.ToArray(), letter.Content[0].Attachment.Data[..4]);

        // The same document from the API, without the letter.
        using var api = await session.Client.GetAsync(new Uri($"/jobs/{jobId}/fhir", UriKind.Relative));
        var alone = JsonSerializer.Deserialize<Bundle>(await api.Content.ReadAsStringAsync(), Fhir)!;
        Assert.DoesNotContain(alone.Entry, e => e.Resource is DocumentReference);
        Assert.Equal(2, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE target = '{jobId}' AND action = 'fhir.exported' AND outcome = 'success'"));
    }

    [Fact]
    public async Task Analyses_of_the_fixture_documents_validate_and_a_document_that_stated_nothing_gives_an_anonymous_valid_patient()
    {
        var (session, _) = await app.SignedInUserAsync("fhir-fixtures");
        foreach (var (file, name, answer) in new[]
        {
            (TestDocuments.TextPdf(TestDocuments.OphthalmologyNote), "note.pdf", JobsApp.ModelAnswer(birthDate: "1958", encounterDate: "2026-11-30")),
            (TestDocuments.TextPdf("Follow-up visit. Glaucoma stable on drops. Intraocular pressure 24 mmHg right eye."), "followup.pdf", JobsApp.ModelAnswer(code: "H40.9", title: "Glaucoma <unspecified> & \"quoted\"")),
        })
        {
            app.OpenAi.Answer(answer);
            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, file, name));
            await JobsApp.WaitForFinishAsync(session, jobId);
            using var response = await session.Client.GetAsync(new Uri($"/jobs/{jobId}/fhir", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bundle = JsonSerializer.Deserialize<Bundle>(await response.Content.ReadAsStringAsync(), Fhir)!;
            Assert.Empty(Validator.Errors(bundle));
        }
    }

    [Fact]
    public async Task Sending_posts_a_transaction_shows_the_created_ids_audits_it_and_never_logs_the_token()
    {
        var (session, email) = await app.SignedInUserAsync("fhir-send");
        var (jobId, letterId) = await AnalyzedWithLetterAsync(session);
        app.Fhir.AnswerCreated();
        await ConnectAsync(session);

        var page = await SendAsync(session, jobId, letterId);

        Assert.Contains("Sent to the health record", page, StringComparison.Ordinal);
        Assert.Contains("<code>Patient/", page, StringComparison.Ordinal);
        Assert.Contains("<code>DocumentReference/", page, StringComparison.Ordinal);
        var request = app.Fhir.Requests.Last();
        Assert.Equal("/fhir", request.PathAndQuery);
        var sent = JsonSerializer.Deserialize<Bundle>(request.Body, Fhir)!;
        Assert.Equal(Bundle.BundleType.Transaction, sent.Type);
        Assert.Equal("identifier=urn:oid:2.16.840.1.113883.19.5|MRN-448812", sent.Entry.Single(e => e.Resource is Patient).Request.IfNoneExist);

        // The token went only into the header: not into the grain in the clear, the logs, the audit or the page.
        var userId = await app.UserIdAsync(email);
        var clinicId = await app.Grains.GetGrain<IUserGrain>(userId).CurrentClinicId() ?? userId;
        var saved = await app.Grains.GetGrain<IClinicGrain>(clinicId).FhirDestination();
        Assert.NotNull(saved?.ProtectedToken);
        Assert.DoesNotContain(FhirPart.Token, saved!.ProtectedToken, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Records, r => r.Text.Contains(FhirPart.Token, StringComparison.Ordinal));
        Assert.Equal(0, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE details::text LIKE '%{FhirPart.Token}%'"));
        Assert.DoesNotContain(FhirPart.Token, (await session.GetAsync("/Clinic/Record")).Html, StringComparison.Ordinal);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE target = '{jobId}' AND action = 'fhir.sent' AND outcome = 'success' AND details->>'host' = 'ehr.example'"));

        // A second send is confirmed first: the records would be created twice.
        var requests = app.Fhir.Requests.Count;
        var (_, recordPage, _) = await session.GetAsync($"/Jobs/{jobId}/Record");
        Assert.Contains("to ehr.example, 5 resources created", WebUtility.HtmlDecode(recordPage), StringComparison.Ordinal);
        Assert.Contains("This analysis was already sent to the health record (to ehr.example, 5 resources created)", await SendAsync(session, jobId, letterId), StringComparison.Ordinal);
        Assert.Equal(requests, app.Fhir.Requests.Count);
        Assert.Contains("Sent to the health record", await SendAsync(session, jobId, letterId, again: true), StringComparison.Ordinal);
        Assert.Equal(requests + 1, app.Fhir.Requests.Count);
    }

    [Theory]
    [InlineData(422, "Patient.identifier: system not recognised")]
    [InlineData(400, "Bundle.type must be transaction")]
    public async Task A_refusal_shows_the_servers_operation_outcome(int status, string diagnostics)
    {
        var (session, _) = await app.SignedInUserAsync($"fhir-refused-{status}");
        var (jobId, _) = await AnalyzedWithLetterAsync(session);
        await ConnectAsync(session);
        app.Fhir.Refuse(status, diagnostics);

        var page = await SendAsync(session, jobId);

        Assert.Contains($"The FHIR server refused the transaction ({status}", page, StringComparison.Ordinal);
        Assert.Contains("error: " + diagnostics + " (Bundle.entry[1].resource)", page, StringComparison.Ordinal);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE target = '{jobId}' AND action = 'fhir.sent' AND outcome = 'failure' AND details->>'status' = '{status}'"));
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_with_a_plain_message()
    {
        var (session, _) = await app.SignedInUserAsync("fhir-timeout");
        var (jobId, _) = await AnalyzedWithLetterAsync(session);
        await ConnectAsync(session);
        app.Fhir.Hang();

        var page = await SendAsync(session, jobId);

        Assert.Contains("The FHIR server did not answer within 3 seconds", page, StringComparison.Ordinal);
        Assert.Contains("check the patient's chart before sending again", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_too_large_to_read_is_not_read_and_the_user_is_told_to_check_the_chart()
    {
        var (session, _) = await app.SignedInUserAsync("fhir-flood");
        var (jobId, _) = await AnalyzedWithLetterAsync(session);
        await ConnectAsync(session);
        app.Fhir.Flood(6);

        var page = await SendAsync(session, jobId);

        Assert.Contains("The FHIR server's answer was larger than 4 MB, so Maneiro did not read it.", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://ehr.example/fhir", "must start with https://")]
    [InlineData("https://10.0.0.5/fhir", "is a private, loopback or link-local address")]
    [InlineData("https://169.254.169.254/latest", "is a private, loopback or link-local address")]
    [InlineData("https://inner.example/fhir", "resolves to 192.168.4.20")]
    [InlineData("https://nowhere.example/fhir", "does not resolve")]
    public async Task Unencrypted_and_inner_network_addresses_are_refused_when_saved(string url, string reason)
    {
        app.Fhir.Hosts.Map("inner.example", IPAddress.Parse("93.184.216.34"), IPAddress.Parse("192.168.4.20"));
        var (session, _) = await app.SignedInUserAsync("fhir-ssrf-" + Guid.NewGuid().ToString("N")[..6]);

        using var refused = await session.SubmitAsync("/Clinic/Record", new Dictionary<string, string> { ["BaseUrl"] = url, ["Token"] = "t" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(reason, WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Contains("No FHIR server is connected", (await session.GetAsync("/Clinic/Record")).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_rebinds_to_an_inner_address_after_it_was_saved_is_refused_at_send_time()
    {
        var (session, _) = await app.SignedInUserAsync("fhir-rebind");
        var (jobId, _) = await AnalyzedWithLetterAsync(session);
        app.Fhir.Hosts.Map("rebind.example", IPAddress.Parse("93.184.216.34"));
        await ConnectAsync(session, "https://rebind.example/fhir");
        var before = app.Fhir.Requests.Count;

        app.Fhir.Hosts.Map("rebind.example", IPAddress.Parse("169.254.169.254"));
        var page = await SendAsync(session, jobId);

        Assert.Contains("rebind.example resolves to 169.254.169.254, a private, loopback or link-local address", page, StringComparison.Ordinal);
        Assert.Equal(before, app.Fhir.Requests.Count);
        Assert.Equal(1, await app.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE target = '{jobId}' AND action = 'fhir.sent' AND outcome = 'failure'"));
    }

    [Fact]
    public async Task A_redirect_to_an_inner_address_is_not_followed()
    {
        var (session, _) = await app.SignedInUserAsync("fhir-redirect");
        var (jobId, _) = await AnalyzedWithLetterAsync(session);
        await ConnectAsync(session);
        app.Fhir.Redirect("https://169.254.169.254/latest/meta-data/");
        var before = app.Fhir.Requests.Count;

        var page = await SendAsync(session, jobId);

        Assert.Contains("The FHIR server redirected the request to 169.254.169.254", page, StringComparison.Ordinal);
        Assert.Contains("does not follow redirects", page, StringComparison.Ordinal);
        Assert.Equal(before + 1, app.Fhir.Requests.Count);
    }

    [Fact]
    public async Task Only_admins_configure_the_server_and_only_clinicians_send_or_include_signed_letters()
    {
        var clinic = await ClinicFlows.ClinicAsync(app, "fhir-roles");
        app.Fhir.AnswerCreated();
        foreach (var member in new[] { clinic.Clinician, clinic.Staff })
        {
            using var refused = await member.Session.SubmitAsync("/Clinic/Record", new Dictionary<string, string> { ["BaseUrl"] = app.Fhir.BaseUrl, ["Token"] = "stolen" });
            Assert.Contains("Only a clinic admin can change the clinic's FHIR server.", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
            await Assert.ThrowsAsync<ClinicRefusedException>(() => app.Grains.GetGrain<IClinicGrain>(clinic.Id).SaveFhirDestination(member.UserId, new FhirDestination(app.Fhir.BaseUrl, null, "urn:x", member.UserId, DateTimeOffset.UtcNow)));
        }

        Assert.Null(await app.Grains.GetGrain<IClinicGrain>(clinic.Id).FhirDestination());
        await ConnectAsync(clinic.Admin.Session);

        // Staff upload for the clinician and draft a letter: a draft awaiting signature cannot go into the record.
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.AnswerLetters(LetterSamples.Draft());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(clinic.Staff.Session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote), forClinician: clinic.Clinician.UserId));
        await JobsApp.WaitForFinishAsync(clinic.Staff.Session, jobId);
        var drafted = await clinic.Staff.Session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["Letter.Kind"] = "PatientSummary", ["Letter.Language"] = "en", ["Letter.RecipientName"] = "John Carter" }, handler: "Letter");
        var letterId = drafted.Headers.Location!.OriginalString["/Letters/".Length..];
        await JobsApp.WaitForLetterAsync(clinic.Staff.Session, letterId);

        using var draft = await clinic.Clinician.Session.Client.GetAsync(new Uri($"/jobs/{jobId}/fhir?letter={letterId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, draft.StatusCode);
        Assert.Contains("not signed", await draft.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var staffPage = await SendAsync(clinic.Staff.Session, jobId);
        Assert.Contains("Only a clinician can send an analysis to the health record.", staffPage, StringComparison.Ordinal);

        var clinicianPage = await SendAsync(clinic.Clinician.Session, jobId);
        Assert.Contains("Sent to the health record", clinicianPage, StringComparison.Ordinal);
    }
}
