using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Infrastructure.Pipeline;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Maneiro.Web.Jobs;

/// <summary>
/// Forwards job progress from Redis (published by whichever silo runs the job) to the browsers connected to this web
/// process. Every web instance runs one; the Redis client re-subscribes by itself after a reconnect.
/// </summary>
public sealed partial class JobProgressRelay(IConnectionMultiplexer redis, IHubContext<JobsHub> hub, ILogger<JobProgressRelay> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisJobProgressPublisher.Channel);
        queue.OnMessage(async message =>
        {
            try
            {
                var progress = JsonSerializer.Deserialize<JobProgress>(message.Message.ToString());
                if (progress is not null)
                {
                    // The job's watchers, its owner's channel and its follower's (staff working on it); a connection in both gets it twice (harmless: updates are idempotent).
                    string[] groups = progress.Follower is { } follower
                        ? [JobsHub.Group(progress.JobId), JobsHub.UserGroup(progress.OwnerId), JobsHub.UserGroup(follower)]
                        : [JobsHub.Group(progress.JobId), JobsHub.UserGroup(progress.OwnerId)];
                    await hub.Clients.Groups(groups).SendAsync("progress", JobViews.Progress(progress));
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                LogBadMessage(ex.GetType().Name);
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        redis.GetSubscriber().UnsubscribeAsync(RedisJobProgressPublisher.Channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed progress message: {ErrorType}")]
    private partial void LogBadMessage(string errorType);
}
