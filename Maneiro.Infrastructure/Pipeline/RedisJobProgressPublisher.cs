using System.Text.Json;
using StackExchange.Redis;

namespace Maneiro.Infrastructure.Pipeline;

/// <summary>
/// Publishes job progress on one Redis channel; every web process subscribes and forwards to the owner's SignalR
/// group. Works whichever silo runs the job and however many web instances there are.
/// </summary>
public sealed class RedisJobProgressPublisher(IConnectionMultiplexer redis) : IJobProgressPublisher
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("maneiro:job-progress");

    public Task PublishAsync(JobProgress progress) =>
        redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(progress));
}
