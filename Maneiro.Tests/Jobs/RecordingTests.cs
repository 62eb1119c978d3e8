using System.Net;
using Maneiro.Grains.Interfaces;
using Maneiro.Grains.Services;
using Maneiro.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

/// <summary>Jobs with a settable clock for the day a recording is kept, and a 1 MB audio limit to reach it in tests.</summary>
public sealed class RecordingApp : JobsApp
{
    public const int MaxAudioBytes = 1024 * 1024;

    public RecordingApp()
        : this(new SettableRetentionClock())
    {
    }

    private RecordingApp(SettableRetentionClock clock)
        : base(b => b
            .With("Uploads:MaxAudioBytes", MaxAudioBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ConfigureHost(h => h.ConfigureTestServices(s => s.AddSingleton<IRetentionClock>(clock))))
    {
        Clock = clock;
    }

    public SettableRetentionClock Clock { get; }
}

/// <summary>
/// Browser recordings staged in chunks: ordered and idempotent, through any web instance, assembled into the blob
/// store when recording stops, resumable after a break, kept a day when abandoned, and refused plainly when wrong.
/// </summary>
public sealed class RecordingTests(RecordingApp app) : IClassFixture<RecordingApp>
{
    private IGrainFactory Grains => app.Factory.Services.GetRequiredService<IGrainFactory>();

    private IBlobStore Blobs => app.Factory.Services.GetRequiredService<IBlobStore>();

    [Fact]
    public async Task Chunks_in_order_a_repeated_chunk_stored_once_and_the_stop_analyzes_the_recording_measured_by_decoding()
    {
        var (session, email) = await app.SignedInUserAsync("recorder");
        await session.FollowAsync(await session.SubmitAsync("/Clinic/Data", new Dictionary<string, string> { ["Keep"] = "keep", ["DeleteAudio"] = "false" }));
        var recorder = await RecorderClient.ForAsync(session.Client);
        var webm = await TestDocuments.SpeechWebmAsync("Patient reports blurred vision in the right eye for two weeks.");
        var chunks = RecorderClient.Split(webm, (webm.Length / 3) + 1);
        Assert.Equal(3, chunks.Count);
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var id = await recorder.StartedIdAsync();

        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(id, 0, 0, chunks[0])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(id, 0, 1, chunks[1])).StatusCode);

        // A retry of chunk 1 (its answer was lost) is acknowledged and not stored twice; other bytes under its number are refused.
        var repeated = await RecorderClient.BodyAsync(await recorder.ChunkAsync(id, 0, 1, chunks[1]));
        Assert.True(repeated.GetProperty("repeated").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await recorder.ChunkAsync(id, 0, 1, chunks[2])).StatusCode);
        Assert.Equal(2, (await Grains.GetGrain<IRecordingGrain>(id).View())!.Chunks);

        // Stopping while chunk 2 is still on its way is answered "not yet", and nothing is lost.
        var early = await recorder.FinishAsync(id, 3);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("has not arrived yet", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(id, 0, 2, chunks[2])).StatusCode);
        var stagedKeys = ChunkKeys(id, chunks);

        var finished = await recorder.FinishAsync(id, 3);
        Assert.Equal(HttpStatusCode.Accepted, finished.StatusCode);
        Assert.Equal(id, (await RecorderClient.BodyAsync(finished)).GetProperty("jobId").GetString());
        var job = await JobsApp.WaitForFinishAsync(session, id);
        Assert.True(JobsApp.StageOf(job) == "Complete", job.ToString());

        // The assembled upload is the recorder's file, byte for byte; the chunks are gone.
        var request = (await Grains.GetGrain<IAnalysisGrain>(id).Request())!;
        Assert.Equal("audio/webm", request.MediaType);
        await using (var stored = await Blobs.OpenReadAsync(request.BlobKey, CancellationToken.None))
        using (var copy = new MemoryStream())
        {
            await stored.CopyToAsync(copy);
            Assert.Equal(webm, copy.ToArray());
        }

        foreach (var key in stagedKeys)
        {
            Assert.False(await Blobs.ExistsAsync(key, CancellationToken.None), key);
        }

        // The WebM carries no duration: it was measured by decoding, and its minute counted.
        var usage = await Grains.GetGrain<IUserGrain>(await app.UserIdAsync(email)).GetSnapshot();
        Assert.Equal(1, usage.Usage.Single(u => u.Kind == UsageKind.AudioMinutes).Used);
        Assert.Equal(1, usage.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);

        // A repeated stop answers with the same analysis; a late chunk is told the recording is closed.
        Assert.Equal(HttpStatusCode.Accepted, (await recorder.FinishAsync(id, 3)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await recorder.ChunkAsync(id, 0, 3, chunks[0])).StatusCode);
        Assert.Equal(0, (await recorder.ListAsync()).GetArrayLength());
    }

    [Fact]
    public async Task Chunks_sent_through_two_web_instances_make_one_recording()
    {
        var (session, _) = await app.SignedInUserAsync("two-instances");
        var recorder = await RecorderClient.ForAsync(session.Client);
        await using var second = new ManeiroWebFactory(app.Database.Url, new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Client",
            ["Orleans:ClusterId"] = app.Factory.Setting("Orleans:ClusterId"),
            ["Storage:LocalPath"] = app.Factory.Setting("Storage:LocalPath"),
            ["Uploads:MaxAudioBytes"] = RecordingApp.MaxAudioBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Security:RateLimits:KeyPrefix"] = "rl-test-" + Guid.NewGuid().ToString("N"),
        });
        using var otherClient = second.CreateHttpClient(session.Cookies);
        var other = recorder.Through(otherClient);
        var webm = await TestDocuments.SpeechWebmAsync("Left eye pressure eighteen.");
        var chunks = RecorderClient.Split(webm, (webm.Length / 4) + 1);
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var id = await recorder.StartedIdAsync();

        // Alternate instances, and retry one chunk on the instance that did not take it first.
        for (var i = 0; i < chunks.Count; i++)
        {
            var response = await (i % 2 == 0 ? recorder : other).ChunkAsync(id, 0, i, chunks[i]);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        Assert.True((await RecorderClient.BodyAsync(await other.ChunkAsync(id, 0, 0, chunks[0]))).GetProperty("repeated").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, (await other.FinishAsync(id, chunks.Count)).StatusCode);
        Assert.True(JobsApp.StageOf(await JobsApp.WaitForFinishAsync(session, id)) == "Complete");
        var request = (await Grains.GetGrain<IAnalysisGrain>(id).Request())!;
        Assert.Equal(webm.Length, request.SizeBytes);
    }

    [Fact]
    public async Task A_recording_abandoned_mid_way_is_offered_on_the_next_visit_resumed_as_a_new_segment_and_submitted()
    {
        var (session, _) = await app.SignedInUserAsync("resumer");
        var recorder = await RecorderClient.ForAsync(session.Client);
        var first = await TestDocuments.SpeechWebmAsync("Right eye pressure twenty four.");
        var id = await recorder.StartedIdAsync(review: true);
        var firstChunks = RecorderClient.Split(first, (first.Length / 2) + 1);
        for (var i = 0; i < firstChunks.Count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(id, 0, i, firstChunks[i])).StatusCode);
        }

        // The tab closed. On the next visit the home page offers the recording.
        var (_, home, _) = await session.GetAsync("/");
        Assert.Contains($"data-recording-id=\"{id}\"", home, StringComparison.Ordinal);
        var listed = await recorder.ListAsync();
        Assert.Equal(id, listed[0].GetProperty("id").GetString());

        // Resumed: a new segment, recorded by a new recorder (its own file), joined onto the first.
        var resumed = await RecorderClient.BodyAsync(await recorder.NewSegmentAsync(id));
        Assert.Equal(1, resumed.GetProperty("segment").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await recorder.ChunkAsync(id, 0, firstChunks.Count, firstChunks[0])).StatusCode);
        var more = await TestDocuments.SpeechWebmAsync("Left eye pressure eighteen.");
        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(id, 1, 0, more)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await recorder.FinishAsync(id, 1)).StatusCode);

        Assert.Equal("Reviewing", JobsApp.StageOf(await JobsApp.WaitForReviewAsync(session, id)));
        var request = (await Grains.GetGrain<IAnalysisGrain>(id).Request())!;
        Assert.Equal("audio/ogg", request.MediaType);
        Assert.True(request.Speech!.Review);
        Assert.Equal(0, (await recorder.ListAsync()).GetArrayLength());
    }

    [Fact]
    public async Task A_recording_nobody_submits_is_kept_a_day_then_deleted_and_one_discarded_goes_at_once_with_a_chunk_never_reported()
    {
        var (session, _) = await app.SignedInUserAsync("abandoner");
        var recorder = await RecorderClient.ForAsync(session.Client);
        var webm = await TestDocuments.SpeechWebmAsync("Right eye.");
        var kept = await recorder.StartedIdAsync();
        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(kept, 0, 0, webm)).StatusCode);
        var grain = Grains.GetGrain<IRecordingGrain>(kept);
        var lastChunk = (await grain.View())!.LastChunkAt;
        try
        {
            app.Clock.AsOf = lastChunk + TimeSpan.FromHours(23);
            Assert.False(await grain.ExpireIfAbandoned());
            Assert.Equal(1, (await recorder.ListAsync()).GetArrayLength());

            app.Clock.AsOf = lastChunk + TimeSpan.FromHours(24);
            Assert.True(await grain.ExpireIfAbandoned());
        }
        finally
        {
            app.Clock.AsOf = null;
        }

        Assert.Null(await grain.View());
        Assert.Equal(0, (await recorder.ListAsync()).GetArrayLength());
        Assert.False(await Blobs.ExistsAsync(ChunkKeys(kept, [webm])[0], CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await recorder.ChunkAsync(kept, 0, 1, webm)).StatusCode);

        var discarded = await recorder.StartedIdAsync();
        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(discarded, 0, 0, webm)).StatusCode);

        // A web instance that stored chunk 1 and died before reporting it: that blob goes with the recording too.
        var orphan = webm.Reverse().ToArray();
        var (admission, orphanKey) = await Grains.GetGrain<IRecordingGrain>(discarded).Admit(0, 1, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(orphan)), orphan.Length);
        Assert.Equal(ChunkAdmission.Store, admission);
        await Blobs.PutAsync(orphanKey!, new MemoryStream(orphan), "audio/webm", CancellationToken.None);

        Assert.Equal(HttpStatusCode.NoContent, (await recorder.DiscardAsync(discarded)).StatusCode);
        Assert.Null(await Grains.GetGrain<IRecordingGrain>(discarded).View());
        Assert.False(await Blobs.ExistsAsync(ChunkKeys(discarded, [webm])[0], CancellationToken.None));
        Assert.False(await Blobs.ExistsAsync(orphanKey!, CancellationToken.None));
    }

    [Fact]
    public async Task Wrong_recordings_are_refused_plainly_and_another_member_cannot_touch_one()
    {
        var (session, _) = await app.SignedInUserAsync("refused-recorder");
        var recorder = await RecorderClient.ForAsync(session.Client);
        var (wrongType, body) = await recorder.StartAsync(mediaType: "video/mp4");
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("Upload the recording as a file instead", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await recorder.StartAsync(language: "xx")).Response.StatusCode);

        var id = await recorder.StartedIdAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await recorder.ChunkAsync(id, 0, 0, "%PDF-1.7 not audio"u8.ToArray())).StatusCode);
        var empty = await recorder.FinishAsync(id, null);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Nothing was recorded", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Past the audio limit: the chunk that would cross it is refused, what came before stays.
        var webm = await TestDocuments.SpeechWebmAsync("Right eye.");
        var big = webm.Concat(new byte[600 * 1024]).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await recorder.ChunkAsync(id, 0, 0, big)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await recorder.ChunkAsync(id, 0, 1, new byte[600 * 1024])).StatusCode);
        Assert.Equal(1, (await Grains.GetGrain<IRecordingGrain>(id).View())!.Chunks);

        var (stranger, _) = await app.SignedInUserAsync("stranger");
        var theirs = await RecorderClient.ForAsync(stranger.Client);
        Assert.Equal(HttpStatusCode.NotFound, (await theirs.ChunkAsync(id, 0, 1, webm)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await theirs.FinishAsync(id, 1)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await theirs.DiscardAsync(id)).StatusCode);
        Assert.Equal(0, (await theirs.ListAsync()).GetArrayLength());
        Assert.Equal(1, (await Grains.GetGrain<IRecordingGrain>(id).View())!.Chunks);
    }

    private static List<string> ChunkKeys(string id, IReadOnlyList<byte[]> chunks) =>
        chunks.Select((bytes, sequence) => Maneiro.Grains.Domain.Recordings.StagedChunks.KeyFor(id, 0, sequence, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)))).ToList();
}
