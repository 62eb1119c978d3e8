using System.Text.Json;
using StackExchange.Redis;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>What an inbox change message carries: which item of which clinic (never its content).</summary>
public sealed record InboxChange(string ClinicId, string ItemId);

/// <summary>Publishes inbox changes on one Redis channel; every web process forwards them to the clinic's viewers.</summary>
public sealed class RedisInboxPublisher(IConnectionMultiplexer redis) : IInboxPublisher
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("maneiro:inbox");

    public Task ChangedAsync(string clinicId, string itemId) =>
        redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(new InboxChange(clinicId, itemId)));
}
