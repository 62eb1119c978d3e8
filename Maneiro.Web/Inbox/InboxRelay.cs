using System.Text.Json;
using Maneiro.Infrastructure.Pipeline;
using Maneiro.Web.Jobs;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Maneiro.Web.Inbox;

/// <summary>Forwards inbox changes from Redis to the members of that clinic viewing its inbox on this web process.</summary>
public sealed partial class InboxRelay(IConnectionMultiplexer redis, IHubContext<JobsHub> hub, ILogger<InboxRelay> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisInboxPublisher.Channel);
        queue.OnMessage(async message =>
        {
            try
            {
                if (JsonSerializer.Deserialize<InboxChange>(message.Message.ToString()) is { } change)
                {
                    // Only the item's id: the page reads what it may see through the access check.
                    await hub.Clients.Group(InboxAccess.Group(change.ClinicId)).SendAsync("inbox", new { itemId = change.ItemId });
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                LogBadMessage(ex.GetType().Name);
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        redis.GetSubscriber().UnsubscribeAsync(RedisInboxPublisher.Channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed inbox message: {ErrorType}")]
    private partial void LogBadMessage(string errorType);
}
