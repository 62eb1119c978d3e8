using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Observability;
using Maneiro.Testing;
using Maneiro.Web.Extensions;
using Maneiro.Web.Observability;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Maneiro.Tests.Operations;

/// <summary>The jobs app with every span kept in memory and every log record from Debug up captured.</summary>
public sealed class ObservedApp : ManeiroApp
{
    public ObservedApp()
        : base(b => b.WithFakeModel()
            .With("Metrics:ScrapeToken", ScrapeToken)

            // No exporter here: spans are recorded only when asked (the in-memory exporter below reads them).
            .With(TelemetryExtensions.RecordSpansKey, "true")

            // Its own request counters: other apps sharing the test Redis answer 503s on purpose while this one counts.
            .With("Metrics:KeyPrefix", "test-http-" + Guid.NewGuid().ToString("N") + ":"))
    {
    }

    public const string ScrapeToken = "scrape-token-for-tests";

    public List<Activity> Activities { get; } = [];

    protected override LogLevel CapturedLevel => LogLevel.Debug;

    protected override void ConfigureHost(IWebHostBuilder builder)
    {
        base.ConfigureHost(builder);
        builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(t => t.AddSource(Orleans.Diagnostics.ActivitySources.StorageActivitySourceName).AddInMemoryExporter(Activities)));
    }

    public async Task<BrowserSession> AdminAsync()
    {
        var email = NewEmail("admin");
        Assert.Equal(0, await CommandLine.CreateAdminAsync(Factory.Services, email, GoodPassword, "Ada", "Admin"));
        var session = NewSession();
        Assert.Equal(HttpStatusCode.Redirect, (await LoginAsync(session, email)).StatusCode);
        return session;
    }

    public Activity[] Spans()
    {
        lock (Activities)
        {
            return [.. Activities];
        }
    }
}

public sealed class ObservabilityTests(ObservedApp app) : IClassFixture<ObservedApp>
{
    private const string Marker = "ZQX-PHI-MARKER-7731";

    [Fact]
    public async Task One_trace_follows_an_upload_from_the_request_through_the_job_stages_to_its_outbound_calls()
    {
        var (session, _) = await app.SignedInUserAsync();

        // A diagnosis no earlier test asked about, so the reference search is not answered from the cache.
        var (_, trace) = await AnalyzedUploadAsync(session, JobsApp.ModelAnswer(title: "Primary open-angle glaucoma, right eye, moderate stage " + Guid.NewGuid().ToString("N")[..6]));
        var stages = trace.Where(s => s.Source.Name == "Maneiro").OrderBy(s => s.StartTimeUtc).Select(s => s.DisplayName);
        Assert.Equal("analysis Extracting,analysis Analyzing,analysis Referencing,analysis Validating", string.Join(",", stages));

        string? Url(Activity s) => s.GetTagItem("url.full") as string;
        var analyzing = trace.Single(s => s.DisplayName == "analysis Analyzing");
        var llmCall = trace.Single(s => s.Kind == ActivityKind.Client && Url(s)?.Contains("/v1/chat/completions", StringComparison.Ordinal) == true);
        Assert.True(IsDescendant(llmCall, analyzing, trace), "The OpenAI call is not inside the Analyzing stage.");
        var referencing = trace.Single(s => s.DisplayName == "analysis Referencing");
        Assert.Contains(trace, s => s.Kind == ActivityKind.Client && Url(s)?.Contains("/entrez/eutils/", StringComparison.Ordinal) == true && IsDescendant(s, referencing, trace));

        // Search terms travel in E-utilities query strings: the exported URL keeps them redacted.
        Assert.DoesNotContain(trace.Select(Url).Where(u => u is not null), u => u!.Contains("glaucoma", StringComparison.OrdinalIgnoreCase));
        session.Dispose();
    }

    [Fact]
    public async Task An_upload_s_job_neither_reserves_again_nor_calls_the_index_grain_to_list_itself()
    {
        var (session, email) = await app.SignedInUserAsync();
        // The job's spans run in the upload's trace: its commit is there, and the one reservation is the upload's.
        var (jobId, trace) = await AnalyzedUploadAsync(session, JobsApp.ModelAnswer());
        var userCalls = trace.Where(s => s.Kind == ActivityKind.Client && s.DisplayName.Contains("IUserGrain/", StringComparison.Ordinal)).Select(s => s.DisplayName[(s.DisplayName.IndexOf("IUserGrain/", StringComparison.Ordinal) + "IUserGrain/".Length)..]).ToList();
        Assert.Equal(1, userCalls.Count(c => c == "Commit"));
        Assert.Equal(1, userCalls.Count(c => c == "TryReserve"));

        // Its history row is a statement of its own, not a call to the index grain (in a cluster, often another silo's).
        Assert.DoesNotContain(trace, s => s.Kind == ActivityKind.Client && s.DisplayName.Contains("IJobIndexGrain/", StringComparison.Ordinal));
        Assert.Contains(jobId, await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(await app.UserIdAsync(email))).Page(0, 10));
        session.Dispose();
    }

    [Fact]
    public async Task An_analysis_saves_its_progress_four_times_and_its_output_three_times()
    {
        var (session, _) = await app.SignedInUserAsync();
        var (jobId, trace) = await AnalyzedUploadAsync(session, JobsApp.ModelAnswer());
        var writes = trace.Where(s => s.DisplayName == "write storage" && ((string?)s.GetTagItem("orleans.grain.id"))?.Contains(jobId, StringComparison.Ordinal) == true)
            .GroupBy(s => (string?)s.GetTagItem("orleans.storage.state.name"))
            .ToDictionary(g => g.Key ?? "", g => g.Count());

        // Progress: the start (request and Extracting begun), Analyzing and Referencing begun, Complete. Validating
        // starts unsaved: it is local and repeatable, and a crash in it resumes at Referencing, which finds its output.
        Assert.Equal(4, writes.GetValueOrDefault("job"));

        // Output: the text, the model's answer, the references with the result (Validating saves what Referencing
        // fetched: a crash in between resumes at Referencing and fetches them again).
        Assert.Equal(3, writes.GetValueOrDefault("output"));
        session.Dispose();
    }

    [Fact]
    public async Task A_request_reads_its_member_s_clinic_and_seat_in_one_grain_call_from_the_web()
    {
        var (session, _) = await app.SignedInUserAsync();
        // Calls the web makes itself (in a cluster, each a round trip to a gateway) against calls a grain makes.
        var (_, trace) = await AnalyzedUploadAsync(session, JobsApp.ModelAnswer());
        var grainCalls = GrainCalls(trace);
        var fromTheWeb = CallsOfTheUploadRequest(grainCalls, trace);
        Assert.Single(fromTheWeb, n => n == "IUserGrain/Membership");
        Assert.DoesNotContain(fromTheWeb, n => n is "IClinicGrain/SeatOf" or "IUserGrain/Clinic");

        // The seat is still the clinic's answer, asked by the member's grain.
        Assert.Contains(grainCalls, c => c.DisplayName.EndsWith("IClinicGrain/SeatOf", StringComparison.Ordinal) && CallerOf(c, trace)?.DisplayName.EndsWith("IUserGrain/Membership", StringComparison.Ordinal) == true);
        session.Dispose();
    }

    [Fact]
    public async Task An_upload_reserves_and_starts_its_analysis_in_one_grain_call_from_the_web()
    {
        var (session, _) = await app.SignedInUserAsync();
        var (_, trace) = await AnalyzedUploadAsync(session, JobsApp.ModelAnswer());
        var grainCalls = GrainCalls(trace);
        Assert.Equal(["IUserGrain/Membership", "IUserGrain/StartAnalysis"], CallsOfTheUploadRequest(grainCalls, trace));

        // The owner's grain reserves (in a turn of its own) and starts the job.
        string? CallerName(Activity call) => CallerOf(call, trace)?.DisplayName;
        Assert.Single(grainCalls, c => c.DisplayName.EndsWith("IUserGrain/TryReserve", StringComparison.Ordinal) && CallerName(c)?.EndsWith("IUserGrain/StartAnalysis", StringComparison.Ordinal) == true);
        Assert.Single(grainCalls, c => c.DisplayName.Contains("IAnalysisGrain/Start", StringComparison.Ordinal) && CallerName(c)?.EndsWith("IUserGrain/StartAnalysis", StringComparison.Ordinal) == true);
        session.Dispose();
    }

    private static List<Activity> GrainCalls(List<Activity> trace) =>
        trace.Where(s => s.Kind == ActivityKind.Client && s.DisplayName.Contains("Grain/", StringComparison.Ordinal)).ToList();

    /// <summary>The grain calls the upload request made itself (in a cluster, each a gateway round trip), as "IUserGrain/Membership".</summary>
    private static List<string> CallsOfTheUploadRequest(List<Activity> grainCalls, List<Activity> trace) =>
        grainCalls.Where(c => CallerOf(c, trace)?.DisplayName.StartsWith("POST /api/analyze", StringComparison.Ordinal) == true)
            .Select(c => c.DisplayName[(c.DisplayName.LastIndexOf('.') + 1)..]).ToList();

    /// <summary>The request or grain call (the nearest server span) that made <paramref name="call"/>.</summary>
    private static Activity? CallerOf(Activity call, List<Activity> trace)
    {
        for (var parent = trace.Find(s => s.SpanId == call.ParentSpanId); parent is not null; parent = trace.Find(s => s.SpanId == parent.ParentSpanId))
        {
            if (parent.Kind == ActivityKind.Server)
            {
                return parent;
            }
        }

        return null;
    }

    /// <summary>Uploads the ophthalmology note as a text PDF with the model answering <paramref name="modelAnswer"/>, waits for its analysis to finish, and returns the job and its upload's trace.</summary>
    private async Task<(string JobId, List<Activity> Trace)> AnalyzedUploadAsync(BrowserSession session, string modelAnswer)
    {
        app.OpenAi.Answer(modelAnswer);
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        await JobsApp.WaitForFinishAsync(session, jobId);
        return (jobId, await UploadTraceAsync(jobId));
    }

    /// <summary>Every span of the upload that started <paramref name="jobId"/>, once its last stage's span is exported.</summary>
    private async Task<List<Activity>> UploadTraceAsync(string jobId)
    {
        var spans = await Eventually.ReturnsAsync(
            () => Task.FromResult(app.Spans()),
            all => all.Any(s => s.DisplayName == "analysis Validating" && (string?)s.GetTagItem("maneiro.job.id") == jobId),
            "the Validating span was exported",
            TimeSpan.FromSeconds(10));
        var request = spans.Single(s => s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("POST /api/analyze", StringComparison.Ordinal) && spans.Any(c => c.TraceId == s.TraceId && (string?)c.GetTagItem("maneiro.job.id") == jobId));
        return spans.Where(s => s.TraceId == request.TraceId).ToList();
    }

    /// <summary>A signed-in non-admin is sent to the access-denied page.</summary>
    private static async Task AssertDeniedAsync(BrowserSession session, string path)
    {
        using var response = await session.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/AccessDenied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private static bool IsDescendant(Activity child, Activity ancestor, IReadOnlyList<Activity> trace)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        for (var current = child; byId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            if (parent.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task A_marker_in_a_document_never_reaches_any_log_line_through_analysis_letter_and_export()
    {
        var (session, email) = await app.SignedInUserAsync();
        var userId = await app.UserIdAsync(email);
        var note = TestDocuments.OphthalmologyNote + $"\nPatient name: {Marker} Carter. Phone {Marker}.";
        app.OpenAi.Answer(JobsApp.ModelAnswer(summary: $"Glaucoma in {Marker}.", evidence: $"{Marker} evidence not in text"));
        app.OpenAi.AnswerLetters(LetterSamples.Draft(salutation: $"Dear {Marker},"));
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(note), fileName: $"{Marker}.pdf"));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(await JobsApp.WaitForFinishAsync(session, jobId)));
        Assert.Contains(Marker, (await session.GetAsync($"/Jobs/{jobId}")).Html, StringComparison.Ordinal);

        var letter = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string> { ["Letter.Kind"] = "Referral", ["Letter.Language"] = "en", ["Letter.RecipientName"] = $"Dr. {Marker}" }, handler: "Letter");
        var letterId = letter.Headers.Location!.OriginalString["/Letters/".Length..];
        await Eventually.TrueAsync(async () => (await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<ILetterGrain>(letterId).GetStatus())!.IsFinished, "the letter finished", TimeSpan.FromSeconds(10));

        using var pdf = await session.Client.GetAsync(new Uri($"/letters/{letterId}/pdf", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);

        // A wrong password with the marker as the address, and a failing request, log too.
        await AccountsApp.LoginAsync(app.NewSession(), $"{Marker}@clinic.example", Marker);

        var records = app.Logs.Records.ToList();
        Assert.DoesNotContain(records, r => r.Text.Contains(Marker, StringComparison.OrdinalIgnoreCase));

        // Nor does the e-mail confirmation link (its token) of the sign-up this test went through, nor the password.
        Assert.DoesNotContain(records, r => r.Text.Contains("code=", StringComparison.Ordinal) || r.Text.Contains(AccountsApp.GoodPassword, StringComparison.Ordinal));

        // The capture works and job lines carry the job and user ids as scopes.
        Assert.Contains(records, r => r.Text.Contains($"analysis {jobId} finished: Complete", StringComparison.Ordinal)
            && Equals(r.Scope.GetValueOrDefault("JobId"), jobId) && Equals(r.Scope.GetValueOrDefault("UserId"), userId));
        Assert.Contains(records, r => r.Text.Contains($"letter {letterId} finished", StringComparison.Ordinal));
        Assert.True(records.Count > 100, $"Only {records.Count} log records were captured.");
        session.Dispose();
    }

    [Fact]
    public async Task Prometheus_metrics_are_for_admins_or_the_scrape_token_only()
    {
        var (doctor, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        await JobsApp.WaitForFinishAsync(doctor, await JobsApp.JobIdOf(await JobsApp.UploadAsync(doctor, null, text: TestDocuments.OphthalmologyNote)));

        using var admin = await app.AdminAsync();
        using var scrape = await admin.Client.GetAsync(new Uri(ObservabilityExtensions.MetricsPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var text = await scrape.Content.ReadAsStringAsync();
        foreach (var name in new[] { "maneiro_registrations_total", "maneiro_llm_tokens_total", "maneiro_job_duration_seconds_bucket", "maneiro_job_stage_duration_seconds_bucket", "maneiro_http_requests_total", "http_server_request_duration_seconds_bucket" })
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }

        await AssertDeniedAsync(doctor, ObservabilityExtensions.MetricsPath);
        using var anonymous = app.NewSession();
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.Client.GetAsync(new Uri(ObservabilityExtensions.MetricsPath, UriKind.Relative))).StatusCode);

        async Task<HttpStatusCode> WithToken(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ObservabilityExtensions.MetricsPath);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await anonymous.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await WithToken(ObservedApp.ScrapeToken));
        Assert.NotEqual(HttpStatusCode.OK, await WithToken(ObservedApp.ScrapeToken + "x"));
        doctor.Dispose();
    }

    [Fact]
    public async Task The_admin_metrics_page_counts_what_happened_and_the_dashboard_is_for_admins()
    {
        using var admin = await app.AdminAsync();
        async Task<Dictionary<string, string>> Read()
        {
            var (status, html, _) = await admin.GetAsync("/Admin/Metrics");
            Assert.Equal(HttpStatusCode.OK, status);
            return System.Text.RegularExpressions.Regex.Matches(html, "<td data-metric=\"([^\"]+)\">([^<]*)</td>")
                .GroupBy(m => m.Groups[1].Value)
                .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups[2].Value));
        }

        static long First(string value) => long.Parse(value.Split(' ', '/')[0], System.Globalization.CultureInfo.InvariantCulture);

        var before = await Read();
        var (doctor, email) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        await JobsApp.WaitForFinishAsync(doctor, await JobsApp.JobIdOf(await JobsApp.UploadAsync(doctor, null, text: TestDocuments.OphthalmologyNote)));
        Assert.False((await app.UserGrain(await app.UserIdAsync(email)).TryReserve(UsageKind.AudioMinutes, "too-long-recording", 100_000)).Granted);

        // The silo appends the completion row just after it saves the finished state the test waited for.
        var after = await Eventually.ReturnsAsync(Read, a => First(a["Jobs completed / failed"]) > First(before["Jobs completed / failed"]), "the completion row was written");

        Assert.Equal(First(before["Registrations"]) + 1, First(after["Registrations"]));
        Assert.Equal(First(before["Jobs completed / failed"]) + 1, First(after["Jobs completed / failed"]));
        Assert.Equal(First(before["Usage-limit hits"]) + 1, First(after["Usage-limit hits"]));
        Assert.Matches(@"^\d+\.\d s avg", after["Job processing time"]);

        // Tokens per analysis by specialty: the fake model reports 1,500 tokens a call, and the job made at least one.
        var (_, metricsPage, _) = await admin.GetAsync("/Admin/Metrics");
        var ophthalmology = System.Text.RegularExpressions.Regex.Match(metricsPage, "<tr data-tokens=\"ophthalmology\">\\s*<th scope=\"row\">ophthalmology</th>\\s*<td>(\\d+)</td>\\s*<td>([\\d,]+)</td>");
        Assert.True(ophthalmology.Success, metricsPage);
        Assert.True(long.Parse(ophthalmology.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) >= 1500);
        Assert.Contains("<tr data-tokens=\"all\">", metricsPage, StringComparison.Ordinal);
        // This app's requests were counted (other tests in the class may add their own meanwhile).
        static long Requests(string value) => long.Parse(System.Text.RegularExpressions.Regex.Match(value, @"of (\d+)\)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Requests(after["API error rate"]) > Requests(before["API error rate"]), after["API error rate"]);

        var (dashboard, _, _) = await admin.GetAsync(ObservabilityExtensions.DashboardPath + "/");
        Assert.Equal(HttpStatusCode.OK, dashboard);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.GetAsync(new Uri(ObservabilityExtensions.DashboardPath + "/ClusterStats", UriKind.Relative))).StatusCode);

        // Grain state (patient data) is not browsable, even for admins.
        using var state = await admin.Client.GetAsync(new Uri(ObservabilityExtensions.DashboardPath + "/GrainState?grainId=x&grainType=Maneiro.Grains.Jobs.AnalysisJobGrain", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, state.StatusCode);
        Assert.Contains("patient data", await state.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertDeniedAsync(doctor, ObservabilityExtensions.DashboardPath + "/");
        doctor.Dispose();
    }

    [Fact]
    public async Task Server_errors_are_counted_per_hour_in_redis()
    {
        var ledger = app.Factory.Services.GetRequiredService<HttpOutcomeLedger>();
        var (requests, errors) = await ledger.TotalsAsync(2);
        ledger.Record(200);
        ledger.Record(503);
        ledger.Record(500);
        var now = await Eventually.ReturnsAsync(() => ledger.TotalsAsync(2), totals => totals.Item2 >= errors + 2, "both errors were counted", TimeSpan.FromSeconds(5));

        Assert.True(now.Item1 >= requests + 3);
        Assert.Equal(errors + 2, now.Item2);
    }

    [Fact]
    public async Task A_standalone_silo_writes_one_json_object_per_log_line_outside_development()
    {
        var environment = ManeiroProcess.SiloEnvironment(app.Database.Url, app.BlobRoot, "json-" + Guid.NewGuid().ToString("N")[..8], app.OpenAi.Endpoint, app.PubMed.BaseUrl, TestServers.FreeTcpPort(), TestServers.FreeTcpPort());
        environment["Logging__Console__FormatterName"] = "json";
        await using var silo = ManeiroProcess.StartSilo(environment);
        await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var started = silo.Output.Split('\n').Single(l => l.Contains("Maneiro silo started", StringComparison.Ordinal));
        var json = JsonDocument.Parse(started).RootElement;
        Assert.Equal("Information", json.GetProperty("LogLevel").GetString());
        Assert.Equal("Maneiro.Silo", json.GetProperty("Category").GetString());
        Assert.True(json.TryGetProperty("Timestamp", out _));
    }
}

/// <summary>The jobs app as deployed without an exporter (no span recorded), capturing its Information lines.</summary>
public sealed class UnrecordedTraceApp() : ManeiroApp(b => b.WithFakeModel())
{
    protected override LogLevel CapturedLevel => LogLevel.Information;
}

public sealed class TraceContextTests(UnrecordedTraceApp app) : IClassFixture<UnrecordedTraceApp>
{
    [Fact]
    public async Task Without_an_exporter_a_job_s_log_lines_carry_the_trace_id_of_the_upload_that_started_it()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(await JobsApp.WaitForFinishAsync(session, jobId)));

        // The job ran from the upload's grain call to its owner's grain, then on the job's grain: its lines name the
        // upload request's trace, with no span recorded anywhere on the way.
        object? TraceOf(string line) => app.Logs.Records.Single(r => r.Text.Contains(line, StringComparison.Ordinal)).Scope.GetValueOrDefault("TraceId");
        await Eventually.TrueAsync(() => app.Logs.Records.Any(r => r.Text.Contains($"analysis {jobId} finished", StringComparison.Ordinal)), "the job's finished line", TimeSpan.FromSeconds(10));
        var upload = TraceOf($"Analysis {jobId} submitted");
        Assert.NotNull(upload);
        Assert.Equal(upload, TraceOf($"analysis {jobId} finished: Complete"));
        session.Dispose();
    }
}
