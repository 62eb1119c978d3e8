using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Maneiro.Tests.Compatibility;

/// <summary>
/// Stored data outlives class names. Compatibility/ab972ae holds the grain-state rows and the Redis resume reminder
/// that commit ab972ae wrote for one user: a completed analysis with a letter, and an analysis stopped mid-way while
/// the model was answering (made once with that commit's test fixtures; see the folder's README).
/// </summary>
public sealed class StoredDataCompatibilityTests
{
    private static readonly string DataFolder = Folder("ab972ae");

    private static string Folder(string commit) => Path.Combine(TestServers.RepositoryRoot, "Maneiro.Tests", "Compatibility", commit);

    /// <summary>
    /// The last main before clinics (d257b11) stored a paying account with its letterhead, an analysis and a letter:
    /// it becomes a clinic of one keyed by its own id, with all of that intact, and its plan moves with the clinic.
    /// </summary>
    [Fact]
    public async Task An_account_written_by_d257b11_becomes_a_clinic_of_one_with_its_letterhead_plan_analysis_and_signed_letter()
    {
        var folder = Folder("d257b11");
        var ids = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(Path.Combine(folder, "ids.json")))!;
        var database = new TestDatabase();
        await database.InitializeAsync();
        var cluster = ManeiroCluster.On(database, new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test" });
        try
        {
            await LoadAsync(database, cluster.ServiceId, folder);
            await cluster.InitializeAsync();
            var grains = cluster.Grains;
            var userId = ids["userId"];
            var user = grains.GetGrain<IUserGrain>(userId);
            Assert.Null(await user.CurrentClinicId());

            // First use: the clinic of one, named from the letterhead, the account its admin and clinician.
            Assert.Equal(userId, await user.Clinic(ids["email"]));
            var clinic = (await grains.GetGrain<IClinicGrain>(userId).Read())!;
            Assert.Equal("Clínica Aurora", clinic.Name);
            var member = Assert.Single(clinic.Members);
            Assert.Equal((userId, ClinicRoles.Admin | ClinicRoles.Clinician), (member.UserId, member.Roles));

            // The letterhead serves as the clinic's and as the clinician's signature; plan and usage are as they were.
            var head = await grains.GetGrain<ILetterheadGrain>(userId).Read();
            Assert.Equal(("Rua das Flores 12, Lisboa", "Dra. Lia Mendes", "MD"), (head.Address, head.ProviderName, head.Credentials));
            var snapshot = await user.GetSnapshot();
            Assert.Equal((SubscriptionTier.Professional, SubscriptionStatus.Active, ids["customer"], ids["subscription"]), (snapshot.Tier, snapshot.Status, snapshot.StripeCustomerId, snapshot.StripeSubscriptionId));
            Assert.Equal(1, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
            Assert.Equal(1, snapshot.Usage.Single(u => u.Kind == UsageKind.Letters).Used);

            // The analysis is the account's own, the letter signed by it.
            var analysis = (await grains.GetGrain<IAnalysisGrain>(ids["analysis"]).GetProgress())!;
            Assert.Equal((userId, JobStage.Complete, (string?)null), (analysis.OwnerId, analysis.Stage, analysis.SubmittedBy));
            var letter = (await grains.GetGrain<ILetterGrain>(ids["letter"]).GetStatus())!;
            Assert.Equal(userId, letter.SignedBy);
            Assert.False(letter.IsDraft);

            // The next event of the subscription bought with the user id reaches the clinic (keyed by that id) and every member.
            var renewed = new SubscriptionUpdate(SubscriptionTier.Professional, SubscriptionStatus.Active, ids["customer"], ids["subscription"], null, null, DateTimeOffset.UtcNow);
            Assert.True(await grains.GetGrain<IClinicGrain>(await user.Clinic(ids["email"])).ApplySubscription(renewed, 1, "si_" + ids["subscription"]));
            Assert.Equal(SubscriptionTier.Professional, (await user.GetSnapshot()).Tier);
        }
        finally
        {
            await cluster.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task State_written_by_ab972ae_opens_and_its_pending_reminder_resumes_the_analysis_only_in_its_own_cluster()
    {
        var ids = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(Path.Combine(DataFolder, "ids.json")))!;
        await using var openAi = await FakeOpenAi.StartAsync();
        await using var pubMed = await FakeEutils.StartAsync();
        openAi.Answer(JobsApp.ModelAnswer(summary: "Resumed after the upgrade. Pressure still above target."));
        var database = new TestDatabase();
        await database.InitializeAsync();
        var owner = ManeiroCluster.On(database, new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk-test",
            ["OpenAI:Endpoint"] = openAi.Endpoint.ToString(),
            ["OpenAI:MaxRetries"] = "0",
            ["Ncbi:BaseUrl"] = pubMed.BaseUrl.ToString(),
        });

        // A second cluster on the same Redis, with an empty database: it must never see the owner's reminder.
        var foreign = new ManeiroCluster();
        try
        {
            await LoadAsync(database, owner.ServiceId);
            await foreign.InitializeAsync();
            await owner.InitializeAsync();

            var pending = GrainId.Create("analysisjob", ids["pendingAnalysis"]);
            var ownReminders = owner.SiloServices.GetRequiredService<IReminderTable>();
            Assert.Single((await ownReminders.ReadRows(pending)).Reminders);
            Assert.Empty((await foreign.SiloServices.GetRequiredService<IReminderTable>().ReadRows(pending)).Reminders);

            // Nothing calls the pending analysis: its reminder (due within its one-minute period) resumes it, moves it
            // to the unfinished list (this version's way) and is removed; the finished analysis leaves the list.
            var unfinished = owner.SiloServices.GetRequiredService<Maneiro.Grains.Services.IUnfinishedJobs>();
            await Eventually.TrueAsync(
                async () => (await ownReminders.ReadRows(pending)).Reminders.Count == 0 && !(await unfinished.AddedBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), 100)).Contains(pending),
                "the resumed analysis removed its reminder and finished",
                TimeSpan.FromMinutes(3));
            var resumed = owner.Grains.GetGrain<IAnalysisGrain>(ids["pendingAnalysis"]);
            var progress = (await resumed.GetProgress())!;
            Assert.Equal(JobStage.Complete, progress.Stage);
            Assert.Single(progress.History, h => h.Stage == JobStage.Analyzing);
            Assert.Equal(1, openAi.ChatCalls);
            Assert.Equal("Resumed after the upgrade.", progress.Headline.SummaryLine);
            Assert.Contains("Intraocular pressure", (await resumed.GetResult())!.ExtractedText!, StringComparison.OrdinalIgnoreCase);

            // The completed analysis reads as before; its output moved out of the progress row on first activation.
            var completed = owner.Grains.GetGrain<IAnalysisGrain>(ids["completedAnalysis"]);
            var done = (await completed.GetProgress())!;
            Assert.Equal(JobStage.Complete, done.Stage);
            Assert.Equal(ids["userId"], done.OwnerId);
            Assert.Equal("John Carter", done.Headline.PatientName);
            var output = (await completed.GetResult())!;
            Assert.Equal("H40.1112", output.Result!.Icd10Codes[0].Code);
            Assert.False(string.IsNullOrEmpty(output.ExtractedText));
            var jobRow = await database.ScalarAsync<int>($"SELECT length(payload) FROM orleans_grain_state WHERE grain_type = 'job' AND service_id = '{owner.ServiceId}' ORDER BY length(payload) DESC LIMIT 1");
            var outputRows = await database.ScalarAsync<long>($"SELECT count(*) FROM orleans_grain_state WHERE grain_type = 'output' AND service_id = '{owner.ServiceId}'");
            Assert.True(jobRow < 1500, $"the progress row still holds the output ({jobRow} bytes)");
            Assert.Equal(2, outputRows);

            // The letter, the indexes and the user's usage (the held reservation of the pending analysis is now used).
            var letter = (await owner.Grains.GetGrain<ILetterGrain>(ids["letter"]).GetStatus())!;
            Assert.Equal(JobStage.Complete, letter.Stage);
            Assert.Single(letter.Versions);
            Assert.Equal(ids["completedAnalysis"], letter.Request.AnalysisJobId);
            Assert.Equal([ids["letter"]], await owner.Grains.GetGrain<IJobIndexGrain>(IndexKeys.LettersOf(ids["completedAnalysis"])).Page(0, 10));
            Assert.Equal(2, await owner.Grains.GetGrain<IJobIndexGrain>(IndexKeys.AnalysesOf(ids["userId"])).Count());
            var usage = (await owner.Grains.GetGrain<IUserGrain>(ids["userId"]).GetSnapshot()).Usage;
            Assert.Equal(2, usage.Single(u => u.Kind == UsageKind.Analyses).Used);
            Assert.Equal(1, usage.Single(u => u.Kind == UsageKind.Letters).Used);

            // Clinics came later: the letter reads as signed by its owner, and the account becomes a clinic of one,
            // keyed by its own id (so checkouts that named the user id land on it), with its plan and usage intact.
            Assert.Equal(ids["userId"], letter.SignedBy);
            var user = owner.Grains.GetGrain<IUserGrain>(ids["userId"]);
            Assert.Null(await user.CurrentClinicId());
            Assert.Equal(ids["userId"], await user.Clinic("migrated@clinic.example"));
            var clinic = (await owner.Grains.GetGrain<IClinicGrain>(ids["userId"]).Read())!;
            Assert.Equal(ClinicRoles.Admin | ClinicRoles.Clinician, Assert.Single(clinic.Members).Roles);
            Assert.Equal(2, (await user.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);

            // The foreign cluster's database never received anything of the owner's.
            Assert.Equal(0, await foreign.Database.ScalarAsync<long>("SELECT count(*) FROM orleans_grain_state"));
        }
        finally
        {
            await owner.DisposeAsync();
            await foreign.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    /// <summary>Writes the stored rows under <paramref name="serviceId"/> and the reminder into that ServiceId's Redis table.</summary>
    private static async Task LoadAsync(TestDatabase database, string serviceId, string? folder = null)
    {
        folder ??= DataFolder;
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(folder, "orleans_grain_state.tsv")))
        {
            var f = line.Split('\t');
            await using var insert = new NpgsqlCommand(
                "INSERT INTO orleans_grain_state (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_ext, payload, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                connection);
            insert.Parameters.AddWithValue(serviceId);
            insert.Parameters.AddWithValue(int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue(f[1]);
            insert.Parameters.AddWithValue(int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue(long.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue(long.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue(f[5]);
            insert.Parameters.AddWithValue(Convert.FromBase64String(f[6]));
            insert.Parameters.AddWithValue(int.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync();
        }

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Maneiro.Infrastructure.Configuration.ConnectionUrls.ToRedisConfiguration(TestServers.RedisUrl));
        foreach (var line in File.Exists(Path.Combine(folder, "reminders.tsv")) ? await File.ReadAllLinesAsync(Path.Combine(folder, "reminders.tsv")) : [])
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            await redis.GetDatabase().SortedSetAddAsync(serviceId + "/reminders", line[(tab + 1)..], double.Parse(line[..tab], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
