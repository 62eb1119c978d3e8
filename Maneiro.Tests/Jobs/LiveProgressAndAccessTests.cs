using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Maneiro.Testing;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

public sealed class LiveProgressAndAccessTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task The_owner_sees_stage_updates_arrive_live_over_signalr()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        try
        {
            await using var hub = Connect(session);
            var events = new ConcurrentQueue<JsonElement>();
            var finished = new TaskCompletionSource();
            hub.On<JsonElement>("progress", e =>
            {
                events.Enqueue(e);
                if (e.GetProperty("finished").GetBoolean())
                {
                    finished.TrySetResult();
                }
            });
            await hub.StartAsync();

            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
            var current = await hub.InvokeAsync<JsonElement>("Subscribe", jobId);
            Assert.Equal(jobId, current.GetProperty("jobId").GetString());

            // Subscribed while the model is held: every stage from here on arrives as a push.
            await app.OpenAi.WaitUntilHeldAsync();
            app.OpenAi.Release();
            await finished.Task.WaitAsync(TimeSpan.FromSeconds(60));

            var stages = events.Select(e => e.GetProperty("stage").GetString()).Distinct().ToList();
            Assert.True(stages.Count >= 2, string.Join(",", stages));
            Assert.Contains("Complete", stages);
            Assert.Contains("Validating", stages);
        }
        finally
        {
            app.OpenAi.Release();
            session.Dispose();
        }
    }

    [Fact]
    public async Task Another_user_cannot_see_cancel_delete_or_subscribe_to_a_job_through_page_api_or_hub()
    {
        var (owner, _) = await app.SignedInUserAsync("owner");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(owner, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(owner, jobId);
        var (stranger, _) = await app.SignedInUserAsync("stranger");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/Jobs/{jobId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/Jobs/{jobId}/Delete")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative))).StatusCode);

        var token = BrowserSession.AntiforgeryToken((await stranger.GetAsync("/")).Html)!;
        using (var cancel = new HttpRequestMessage(HttpMethod.Post, $"/api/jobs/{jobId}/cancel"))
        {
            cancel.Headers.Add("RequestVerificationToken", token);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.SendAsync(cancel)).StatusCode);
        }

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/jobs/{jobId}"))
        {
            delete.Headers.Add("RequestVerificationToken", token);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.SendAsync(delete)).StatusCode);
        }

        await using var hub = Connect(stranger);
        await hub.StartAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("Subscribe", jobId));
        Assert.Contains("Not found", refused.Message, StringComparison.Ordinal);

        // Still there for its owner.
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/Jobs/{jobId}")).Status);

        using var anonymous = app.NewSession();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Client.GetAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative))).StatusCode);
        owner.Dispose();
        stranger.Dispose();
    }

    [Fact]
    public async Task Canceling_a_running_job_stops_it_and_gives_the_allowance_back()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        app.OpenAi.Hold();
        try
        {
            var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
            await app.OpenAi.WaitUntilHeldAsync();
            var canceled = await session.SubmitAsync($"/Jobs/{jobId}", new Dictionary<string, string>(), "Cancel");
            Assert.Equal(HttpStatusCode.Redirect, canceled.StatusCode);

            var job = await JobsApp.WaitForFinishAsync(session, jobId, TimeSpan.FromSeconds(20));
            Assert.Equal("Canceled", JobsApp.StageOf(job));
            var (_, account, _) = await session.GetAsync("/Account/Manage");
            Assert.Contains("Analyses: 0 of 10", account, StringComparison.Ordinal);
        }
        finally
        {
            app.OpenAi.Release();
            session.Dispose();
        }
    }

    [Fact]
    public async Task A_held_connection_cannot_subscribe_again_once_its_session_is_revoked()
    {
        var (session, email) = await app.SignedInUserAsync("revoked");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await JobsApp.WaitForFinishAsync(session, jobId);

        // The stamp check on every call: the stamp changed with no announcement (another instance missed it).
        await using (var held = Connect(session))
        {
            await held.StartAsync();
            await held.InvokeAsync<JsonElement>("Subscribe", jobId);
            using (var scope = app.Factory.Services.CreateScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<ManeiroUser>>();
                await users.UpdateSecurityStampAsync((await users.FindByEmailAsync(email))!);
            }

            var refused = await Assert.ThrowsAsync<HubException>(() => held.InvokeAsync<JsonElement>("Subscribe", jobId));
            Assert.Contains("Your session has ended", refused.Message, StringComparison.Ordinal);
            await Eventually.TrueAsync(() => held.State == HubConnectionState.Disconnected, "the refused connection was closed", TimeSpan.FromSeconds(20));
        }

        // A password change closes the user's open connections at once, before they call anything.
        session.Dispose();
        using var again = app.NewSession();
        await AccountsApp.LoginAsync(again, email);
        await using var open = Connect(again);
        var closed = new TaskCompletionSource();
        open.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await open.StartAsync();
        await open.InvokeAsync<JsonElement>("Subscribe", jobId);
        const string newPassword = "a brand new long passphrase";
        var changed = await again.SubmitAsync("/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["CurrentPassword"] = AccountsApp.GoodPassword,
            ["NewPassword"] = newPassword,
            ["ConfirmPassword"] = newPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HubConnectionState.Disconnected, open.State);
        await Assert.ThrowsAnyAsync<Exception>(() => open.InvokeAsync<JsonElement>("Subscribe", jobId));
    }

    internal static Task WaitForStageAsync(BrowserSession session, string jobId, string stage) =>
        Eventually.TrueAsync(
            async () => JobsApp.StageOf(JsonDocument.Parse(await session.Client.GetStringAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative))).RootElement) == stage,
            $"job {jobId} reached {stage}",
            TimeSpan.FromSeconds(20));

    [Fact]
    public async Task The_users_own_channel_joined_before_uploading_carries_every_stage_of_their_jobs_and_none_of_others()
    {
        var (session, _) = await app.SignedInUserAsync("channel");
        var (stranger, _) = await app.SignedInUserAsync("stranger");
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        await using var mine = Connect(session);
        await using var theirs = Connect(stranger);
        var events = new ConcurrentQueue<JsonElement>();
        var strangerEvents = new ConcurrentQueue<JsonElement>();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mine.On<JsonElement>("progress", e =>
        {
            events.Enqueue(e);
            if (e.GetProperty("finished").GetBoolean())
            {
                finished.TrySetResult();
            }
        });
        theirs.On<JsonElement>("progress", strangerEvents.Enqueue);
        await mine.StartAsync();
        await theirs.StartAsync();
        await mine.InvokeAsync("SubscribeMine");
        await theirs.InvokeAsync("SubscribeMine");

        // Subscribed before the job exists: no Subscribe call, and the very first stage still arrives.
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: TestDocuments.OphthalmologyNote));
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var stages = events.Where(e => e.GetProperty("jobId").GetString() == jobId).Select(e => e.GetProperty("stage").GetString()).ToList();
        var history = (await JobsApp.WaitForFinishAsync(session, jobId)).GetProperty("history").EnumerateArray().Select(h => h.GetProperty("stage").GetString()).ToList();
        // Every stage the job went through after it was received (accepting it is the upload's own answer).
        Assert.Equal(history.Where(stage => stage != "Received"), stages.Distinct());
        Assert.Equal("Complete", stages[^1]);

        // The stranger's channel heard nothing of it.
        Assert.DoesNotContain(strangerEvents, e => e.GetProperty("jobId").GetString() == jobId);
        session.Dispose();
        stranger.Dispose();
    }

    private HubConnection Connect(BrowserSession session) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(app.Factory.BaseAddress, "/hubs/jobs"), o => o.Cookies = session.Cookies)
            .Build();
}
