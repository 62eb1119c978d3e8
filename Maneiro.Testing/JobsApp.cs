using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Maneiro.Grains.Interfaces;

namespace Maneiro.Testing;

/// <summary>The web app with a fake model (and PubMed), a small ICD-10-CM fixture, and the helpers analysis tests share.</summary>
public class JobsApp : ManeiroApp
{
    public JobsApp()
        : base(b => b.WithFakeModel())
    {
    }

    /// <summary>The jobs app with more of its own settings (e.g. a test class that signs up many accounts).</summary>
    protected JobsApp(Action<AppBuilder> more)
        : base(b => more(b.WithFakeModel()))
    {
    }

    /// <summary>A line of the official icd10cm-order file: order(5) code(7) billable(1) short(60) long.</summary>
    public static string OrderLine(int order, string code, bool billable, string description) =>
        $"{order:D5} {code,-7} {(billable ? 1 : 0)} {description,-60} {description}";

    /// <summary>A model answer in the strict schema's shape.</summary>
    public static string ModelAnswer(string summary = "Moderate primary open-angle glaucoma of the right eye, pressure above target.", string code = "H40.1112", string evidence = "Intraocular pressure 24 mmHg right", string? extraWarning = null, string title = "Primary open-angle glaucoma, right eye, moderate stage", string? birthDate = null, string? recordNumber = null, string? encounterDate = null) =>
        new JsonObject
        {
            ["provider_name"] = "Dr. Helena Ribeiro",
            ["patient_name"] = "John Carter",
            ["patient_block"] = "John Carter, 67-year-old man",
            ["patient_birth_date"] = birthDate,
            ["patient_identifier"] = recordNumber,
            ["encounter_date"] = encounterDate,
            ["summary"] = summary,
            ["patient_summary"] = "The pressure in your right eye is too high, so we are adding a second eye drop.",
            ["diagnoses"] = new JsonArray(new JsonObject
            {
                ["title"] = title,
                ["icd10_code"] = code,
                ["laterality"] = "right",
                ["confidence"] = 0.92,
                ["bullets"] = new JsonArray("IOP 24 mmHg on latanoprost", "Progressing superior arcuate defect"),
                ["reference_numbers"] = new JsonArray(1, 2),
                ["evidence"] = evidence,
            }),
            ["plan"] = new JsonArray(new JsonObject
            {
                ["title"] = "Lower intraocular pressure",
                ["bullets"] = new JsonArray("Add timolol twice daily, right eye", "Repeat visual field in three months"),
                ["reference_numbers"] = new JsonArray(3),
            }),
            ["warnings"] = new JsonArray(extraWarning ?? "Check for asthma before starting timolol."),
            ["icd10_codes"] = new JsonArray(new JsonObject { ["code"] = code, ["description"] = "POAG right eye moderate", ["primary"] = true }),
            ["quality_score"] = new JsonObject { ["score"] = 82, ["label"] = "good", ["issues"] = new JsonArray("No gonioscopy recorded"), ["suggestions"] = new JsonArray("Record target pressure") },
            ["search_terms"] = new JsonArray("primary open-angle glaucoma treatment"),
        }.ToJsonString();

    /// <summary>
    /// Uploads through the JSON API as a signed-in browser script would. Each call is a new analysis unless
    /// <paramref name="analyzeAgain"/> is false: most tests upload the same sample note several times, and only the
    /// tests of the repeat offer want it recognised.
    /// </summary>
    public static async Task<HttpResponseMessage> UploadAsync(BrowserSession session, byte[]? file, string fileName = "note.pdf", string? text = null, string specialty = "ophthalmology", bool forceOcr = false, bool analyzeAgain = true, string? forClinician = null, IReadOnlyDictionary<string, string>? recording = null)
    {
        var (_, html, _) = await session.GetAsync("/");
        var token = BrowserSession.AntiforgeryToken(html)!;
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(specialty), "specialty");

        // Recordings go straight to analysis unless a test asks for the review step (or other recording settings).
        foreach (var (name, value) in recording ?? new Dictionary<string, string> { ["review"] = "false" })
        {
            form.Add(new StringContent(value), name);
        }
        if (forClinician is not null)
        {
            form.Add(new StringContent(forClinician), "forClinician");
        }

        if (forceOcr)
        {
            form.Add(new StringContent("true"), "forceOcr");
        }

        if (analyzeAgain)
        {
            form.Add(new StringContent("true"), "reanalyze");
        }

        if (text is not null)
        {
            form.Add(new StringContent(text), "text");
        }

        if (file is not null)
        {
            var content = new ByteArrayContent(file);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", fileName);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/analyze") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }

    public static async Task<string> JobIdOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Upload refused ({(int)response.StatusCode}): {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
    }

    /// <summary>Polls the API until the job finishes (bounded), as the page's fallback does; a 503 or a 429 is retried.</summary>
    /// <summary>Polls the letter's API until it has finished drafting.</summary>
    public static Task<JsonElement> WaitForLetterAsync(BrowserSession session, string letterId) =>
        Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await session.Client.GetAsync(new Uri($"/api/letters/{letterId}", UriKind.Relative));
                response.EnsureSuccessStatusCode();
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            },
            root => root.GetProperty("finished").GetBoolean(),
            $"letter {letterId} finished");

    public static Task<JsonElement> WaitForFinishAsync(BrowserSession session, string jobId, TimeSpan? timeout = null) =>
        WaitForAsync(session, jobId, root => root.GetProperty("finished").GetBoolean(), "finished", timeout);

    /// <summary>Polls the API until the job waits for its transcript review, or has finished (it never will wait then).</summary>
    public static Task<JsonElement> WaitForReviewAsync(BrowserSession session, string jobId) =>
        WaitForAsync(session, jobId, root => root.GetProperty("waiting").GetBoolean() || root.GetProperty("finished").GetBoolean(), "waiting for review", null);

    private static async Task<JsonElement> WaitForAsync(BrowserSession session, string jobId, Func<JsonElement, bool> reached, string what, TimeSpan? timeout)
    {
        var job = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await session.Client.GetAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
                // Part of the cluster restarting (503), or polling faster than the API allows (429): ask again.
                if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                {
                    return (JsonElement?)null;
                }

                response.EnsureSuccessStatusCode();
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            },
            root => root is { } r && reached(r),
            $"job {jobId} {what}",
            timeout ?? TimeSpan.FromSeconds(90));
        return job!.Value;
    }

    public static string StageOf(JsonElement job) => job.GetProperty("stage").GetString()!;

    public static JobStage Stage(JsonElement job) => Enum.Parse<JobStage>(StageOf(job));
}
