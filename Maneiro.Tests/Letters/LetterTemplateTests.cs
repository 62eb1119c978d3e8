using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Maneiro.Tests.Clinics;

namespace Maneiro.Tests.Letters;

/// <summary>
/// Letter templates: made from an example letter (the model's proposal scrubbed of patient details by our code before
/// anyone sees it), edited, versioned, shared by the clinic, and followed section by section when drafting.
/// </summary>
public sealed partial class LetterTemplateTests(ClinicApp app) : IClassFixture<ClinicApp>
{
    private const string Example = """
        Date: March 3, 2026
        Dear Dr. Ana Silva,
        Re: Maria Gonzalez   DOB: 03/14/1962   MRN: 00482913   Phone: (555) 201-4478
        Thank you for seeing Mrs Gonzalez, who has moderate glaucoma of the right eye.
        Her pressure is 24 mmHg despite drops. I would be grateful for your opinion on surgery.
        With kind regards, Dr. Bruno Costa
        """;

    private static readonly string[] Leaks = ["Maria", "Gonzalez", "1962", "00482913", "4478", "Ana Silva"];

    [Fact]
    public async Task A_template_from_an_example_never_saves_the_patient_details_the_model_leaks()
    {
        var clinic = await ClinicFlows.ClinicAsync(app, "tpl-example");
        var doctor = clinic.Clinician.Session;

        // A model that copies the patient's name, date of birth, record number and phone into its proposal.
        app.OpenAi.TemplateAnswer = new JsonObject
        {
            ["name"] = "Glaucoma referral for Maria Gonzalez",
            ["kind"] = "Referral",
            ["sections"] = new JsonArray(
                Section("Patient", "Name Maria Gonzalez, DOB 03/14/1962, MRN 00482913, phone (555) 201-4478.", "Re: Maria Gonzalez (MRN: 00482913)"),
                Section("Reason", "Thank the colleague (Dr. Ana Silva) and give the reason in two sentences, as for Mrs Gonzalez.", ""),
                Section("Request", "Ask for an opinion on surgery.", "I would be grateful for your opinion. Call 555-201-4478 with questions.")),
        }.ToJsonString();

        var proposed = await doctor.SubmitAsync("/Letters/Templates/FromExample", new Dictionary<string, string> { ["Example"] = Example, ["Language"] = "en" });
        var html = WebUtility.HtmlDecode(await proposed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, proposed.StatusCode);
        Assert.Contains("patient detail(s) were replaced by variables or removed", html, StringComparison.Ordinal);
        Assert.Contains("Maria Gonzalez", app.OpenAi.TemplateRequests[^1], StringComparison.Ordinal);
        var fields = FormFields(html);
        foreach (var leak in Leaks)
        {
            Assert.DoesNotContain(fields.Values, v => v.Contains(leak, StringComparison.OrdinalIgnoreCase));
        }

        // Nothing is saved until the clinician saves the reviewed proposal.
        Assert.Empty(await app.Grains.GetGrain<IJobIndexGrain>(IndexKeys.TemplatesOf(clinic.Id)).Page(0, 10));
        fields["__RequestVerificationToken"] = BrowserSession.AntiforgeryToken(html)!;
        await doctor.FollowAsync(await doctor.PostAsync("/Letters/Templates/Edit?handler=Save", fields));

        var id = Assert.Single(await app.Grains.GetGrain<IJobIndexGrain>(IndexKeys.TemplatesOf(clinic.Id)).Page(0, 10));
        var saved = (await app.Grains.GetGrain<ILetterTemplateGrain>(id).View())!.Current.Content;
        var text = string.Join("\n", saved.Sections.SelectMany(s => new[] { s.Heading, s.Instructions, s.FixedText }).Append(saved.Name));
        foreach (var leak in Leaks)
        {
            Assert.DoesNotContain(leak, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("Re: {{patient}}", text, StringComparison.Ordinal);
        Assert.Equal(LetterKind.Referral, saved.Kind);
    }

    [Fact]
    public async Task Drafting_with_a_template_follows_its_sections_fills_its_fixed_text_and_records_its_version()
    {
        var clinic = await ClinicFlows.ClinicAsync(app, "tpl-draft");
        var doctor = clinic.Clinician.Session;
        var templateId = Guid.NewGuid().ToString("N");
        var content = new TemplateContent("Short referral", LetterKind.Referral, "en",
        [
            new("Regarding", "", "Re: {{patient}}, for {{recipient}}"),
            new("Question", "One sentence: the question for the colleague.", ""),
            new("Findings", "The findings, briefly.", ""),
        ]);
        await app.Grains.GetGrain<ILetterTemplateGrain>(templateId).Save(clinic.Id, content, clinic.Clinician.UserId);

        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(doctor, null, text: TestDocuments.OphthalmologyNote, forClinician: null));
        await JobsApp.WaitForFinishAsync(doctor, jobId);
        var (_, page, _) = await doctor.GetAsync($"/Jobs/{jobId}");
        Assert.Contains($"<option value=\"{templateId}\">Short referral", page, StringComparison.Ordinal);

        // The model writes its sections out of order and adds one; the letter follows the template.
        app.OpenAi.AnswerLetters(LetterSamples.Draft(sections: [("Findings", ["Pressure 24 mmHg in the right eye."]), ("Extra", ["Something else."]), ("Question", ["Would you consider surgery?"])]));
        var response = await doctor.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string>
        {
            ["Letter.Template"] = templateId,
            ["Letter.Kind"] = "PatientSummary",
            ["Letter.Language"] = "fr",
            ["Letter.RecipientName"] = "Dr. Ana Silva",
        }, handler: "Letter");
        var letterId = response.Headers.Location!.OriginalString["/Letters/".Length..];
        var letter = await JobsApp.WaitForLetterAsync(doctor, letterId);
        Assert.Equal(("Referral", "en"), (letter.GetProperty("kind").GetString(), letter.GetProperty("language").GetString()));
        Assert.Contains("Follow the clinician's template", app.OpenAi.LetterRequests[^1], StringComparison.Ordinal);

        var status = (await app.Grains.GetGrain<ILetterGrain>(letterId).GetStatus())!;
        var body = status.Current!.Body;
        var headings = Regex.Matches(body, "^## (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.Equal(["Regarding", "Question", "Findings"], headings);
        Assert.Contains("for Dr. Ana Silva", body, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Something else", body, StringComparison.Ordinal);
        Assert.Equal((templateId, 1), (status.Request.Template!.TemplateId, status.Request.Template.Version));

        // A later edit of the template is a new version; the letter keeps the one it was drafted with.
        await app.Grains.GetGrain<ILetterTemplateGrain>(templateId).Save(clinic.Id, content with { Name = "Short referral v2" }, clinic.Admin.UserId);
        var (_, letterPage, _) = await doctor.GetAsync($"/Letters/{letterId}");
        Assert.Contains("template “Short referral”, version 1", WebUtility.HtmlDecode(letterPage), StringComparison.Ordinal);
        Assert.Equal(2, (await app.Grains.GetGrain<ILetterTemplateGrain>(templateId).View())!.Current.Number);
    }

    [Fact]
    public async Task The_editor_adds_moves_and_removes_sections_staff_cannot_edit_and_another_clinic_cannot_see_a_template()
    {
        var clinic = await ClinicFlows.ClinicAsync(app, "tpl-editor");
        var doctor = clinic.Clinician.Session;
        var (_, copy, _) = await doctor.GetAsync("/Letters/Templates/Edit?from=builtin-referral");
        var fields = FormFields(WebUtility.HtmlDecode(copy));
        Assert.Equal("Reason for referral", fields["Form.Sections[0].Heading"]);
        fields["__RequestVerificationToken"] = BrowserSession.AntiforgeryToken(copy)!;

        // Move the first section down: the page shows the new order (nothing saved yet).
        fields["index"] = "0";
        var moved = await doctor.PostAsync("/Letters/Templates/Edit?handler=Down", fields);
        var movedFields = FormFields(WebUtility.HtmlDecode(await moved.Content.ReadAsStringAsync()));
        Assert.Equal(("History and findings", "Reason for referral"), (movedFields["Form.Sections[0].Heading"], movedFields["Form.Sections[1].Heading"]));

        fields.Remove("index");
        var added = await (await doctor.PostAsync("/Letters/Templates/Edit?handler=Add", fields)).Content.ReadAsStringAsync();
        Assert.Contains("id=\"section-4-heading\"", added, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"section-5-heading\"", added, StringComparison.Ordinal);

        // An empty new section cannot be saved with instructions missing; an unknown variable is refused by name.
        fields["Form.Sections[0].FixedText"] = "Dear {{colleague}}";
        var refused = await doctor.PostAsync("/Letters/Templates/Edit?handler=Save", fields);
        Assert.Contains("{{colleague}} is not a variable", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        fields["Form.Sections[0].FixedText"] = "";
        await doctor.FollowAsync(await doctor.PostAsync("/Letters/Templates/Edit?handler=Save", fields));
        var id = Assert.Single(await app.Grains.GetGrain<IJobIndexGrain>(IndexKeys.TemplatesOf(clinic.Id)).Page(0, 10));

        // Staff use templates but do not edit them; another clinic does not see this one.
        var (staffStatus, _, staffLocation) = await clinic.Staff.Session.GetAsync($"/Letters/Templates/Edit/{id}");
        Assert.Equal(HttpStatusCode.Redirect, staffStatus);
        Assert.Contains("/Account/AccessDenied", staffLocation!.OriginalString, StringComparison.Ordinal);
        var (_, list, _) = await clinic.Staff.Session.GetAsync("/Letters/Templates");
        Assert.Contains($"data-template-id=\"{id}\"", list, StringComparison.Ordinal);
        var other = await ClinicFlows.ClinicAsync(app, "tpl-other");
        Assert.Equal(HttpStatusCode.NotFound, (await other.Clinician.Session.GetAsync($"/Letters/Templates/Edit/{id}")).Status);
        await Assert.ThrowsAsync<LetterRefusedException>(() => app.Grains.GetGrain<ILetterTemplateGrain>(id).Save(other.Id, BuiltInTemplatesContent(), other.Clinician.UserId));

        // Deleting asks first.
        var (_, confirm, _) = await doctor.GetAsync($"/Letters/Templates/Edit/{id}?confirmDelete=true");
        Assert.Contains("Delete this template?", confirm, StringComparison.Ordinal);
        await doctor.FollowAsync(await doctor.SubmitAsync($"/Letters/Templates/Edit/{id}?confirmDelete=true", new Dictionary<string, string> { ["Form.Id"] = id }, action: "/Letters/Templates/Edit?handler=Delete"));
        Assert.Null(await app.Grains.GetGrain<ILetterTemplateGrain>(id).View());
    }

    [Fact]
    public async Task An_example_uploaded_as_a_pdf_is_read_for_the_proposal_and_an_unreadable_file_is_refused_plainly()
    {
        var clinic = await ClinicFlows.ClinicAsync(app, "tpl-upload");
        var doctor = clinic.Clinician.Session;
        app.OpenAi.TemplateAnswer = new JsonObject { ["name"] = "Referral", ["kind"] = "Referral", ["sections"] = new JsonArray(Section("Reason", "Two sentences on the reason.", "")) }.ToJsonString();
        var before = app.OpenAi.TemplateRequests.Count;

        var (pdfStatus, pdfPage) = await UploadExampleAsync(doctor, TestDocuments.TextPdf(Example), "example.pdf");
        Assert.Equal(HttpStatusCode.OK, pdfStatus);
        Assert.Contains("id=\"template-editor\"", pdfPage, StringComparison.Ordinal);
        Assert.Contains("moderate glaucoma of the right eye", app.OpenAi.TemplateRequests[^1], StringComparison.Ordinal);

        var (_, garbage) = await UploadExampleAsync(doctor, [0x00, 0xFF, 0xFE, 0x01, 0x02], "example.bin");
        Assert.Contains("Upload the example as a PDF with text or a plain-text file", WebUtility.HtmlDecode(garbage), StringComparison.Ordinal);
        Assert.Equal(before + 1, app.OpenAi.TemplateRequests.Count);
    }

    private static async Task<(HttpStatusCode Status, string Html)> UploadExampleAsync(BrowserSession session, byte[] file, string name)
    {
        var (_, page, _) = await session.GetAsync("/Letters/Templates/FromExample");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(BrowserSession.AntiforgeryToken(page)!), "__RequestVerificationToken" },
            { new StringContent(""), "Example" },
            { new StringContent("en"), "Language" },
            { new ByteArrayContent(file), "ExampleFile", name },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Letters/Templates/FromExample") { Content = form };
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await session.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static TemplateContent BuiltInTemplatesContent() => Maneiro.Grains.Domain.Letters.BuiltInTemplates.For(LetterKind.Referral);

    private static JsonObject Section(string heading, string instructions, string fixedText) =>
        new() { ["heading"] = heading, ["instructions"] = instructions, ["fixed_text"] = fixedText };

    /// <summary>The editor form's fields as a browser would post them: inputs, textareas and selected options.</summary>
    private static Dictionary<string, string> FormFields(string html)
    {
        var form = html[html.IndexOf("id=\"template-editor\"", StringComparison.Ordinal)..];
        form = form[..form.IndexOf("</form>", StringComparison.Ordinal)];
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in InputField().Matches(form))
        {
            fields[m.Groups["name"].Value] = m.Groups["value"].Value;
        }

        foreach (Match m in TextareaField().Matches(form))
        {
            fields[m.Groups["name"].Value] = m.Groups["value"].Value.TrimStart('\n');
        }

        foreach (Match m in SelectField().Matches(form))
        {
            fields[m.Groups["name"].Value] = SelectedOption().Match(m.Groups["options"].Value) is { Success: true } selected ? selected.Groups["value"].Value : "";
        }

        return fields;
    }

    [GeneratedRegex("<input[^>]*name=\"(?<name>Form\\.[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex InputField();

    [GeneratedRegex("<textarea[^>]*name=\"(?<name>Form\\.[^\"]+)\"[^>]*>(?<value>[^<]*)</textarea>")]
    private static partial Regex TextareaField();

    [GeneratedRegex("<select[^>]*name=\"(?<name>Form\\.[^\"]+)\"[^>]*>(?<options>.*?)</select>", RegexOptions.Singleline)]
    private static partial Regex SelectField();

    [GeneratedRegex("<option value=\"(?<value>[^\"]*)\" selected")]
    private static partial Regex SelectedOption();
}
