using System.Collections.Concurrent;
using System.Security.Claims;
using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Maneiro.Web.Security;

/// <summary>This web instance's open hub connections, by user, so a revoked session's connections can be closed.</summary>
public sealed class HubConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubCallerContext>> _byUser = new();

    public void Add(HubCallerContext connection)
    {
        if (connection.UserIdentifier is { } user)
        {
            _byUser.GetOrAdd(user, _ => new()).TryAdd(connection.ConnectionId, connection);
        }
    }

    public void Remove(HubCallerContext connection)
    {
        if (connection.UserIdentifier is { } user && _byUser.TryGetValue(user, out var connections))
        {
            connections.TryRemove(connection.ConnectionId, out _);
        }
    }

    /// <summary>Closes every connection of the user's on this instance; returns how many.</summary>
    public int CloseAll(string userId)
    {
        if (!_byUser.TryRemove(userId, out var connections))
        {
            return 0;
        }

        foreach (var connection in connections.Values)
        {
            connection.Abort();
        }

        return connections.Count;
    }
}

/// <summary>
/// Ends a user's live connections on every web instance when a session is revoked (sign-out, password change or reset,
/// two-factor change, "sign out everywhere"): a Redis message each instance acts on. There is no SignalR backplane, so
/// this channel is how instances hear of it; the per-call stamp check in <see cref="HubSessionFilter"/> is the backstop.
/// </summary>
public sealed partial class SessionRevocation(IConnectionMultiplexer redis, HubConnectionRegistry connections, ILogger<SessionRevocation> logger) : IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("maneiro:sessions:revoked");

    public async Task RevokeAsync(string userId)
    {
        connections.CloseAll(userId);
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, userId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Other instances still refuse the old session at its next hub call (the stamp check).
            LogPublishFailed(ex.GetType().Name);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken) =>
        await redis.GetSubscriber().SubscribeAsync(Channel, (_, user) => connections.CloseAll(user.ToString()));

    public async Task StopAsync(CancellationToken cancellationToken) =>
        await redis.GetSubscriber().UnsubscribeAsync(Channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A session revocation could not be announced to other instances: {ErrorType}")]
    private partial void LogPublishFailed(string errorType);
}

/// <summary>
/// Every hub call re-checks the connection's user against the store (the security stamp), so a connection opened
/// before a sign-out or password change cannot subscribe again; a refused connection is closed.
/// </summary>
public sealed class HubSessionFilter(HubConnectionRegistry connections) : IHubFilter
{
    public const string SessionEnded = "Your session has ended. Sign in again to follow this job.";

    /// <summary>Time for the refusal to reach the client before its connection is closed.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>The groups a connection joined, kept in its per-connection items so a refusal can leave them.</summary>
    public static HashSet<string> JoinedGroups(HubCallerContext connection)
    {
        if (connection.Items.TryGetValue(nameof(JoinedGroups), out var groups) && groups is HashSet<string> joined)
        {
            return joined;
        }

        joined = [];
        connection.Items[nameof(JoinedGroups)] = joined;
        return joined;
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var connection = invocationContext.Context;
        var signIn = invocationContext.ServiceProvider.GetRequiredService<SignInManager<ManeiroUser>>();
        if (await signIn.ValidateSecurityStampAsync(connection.User ?? new ClaimsPrincipal()) is null)
        {
            // Nothing more is delivered from now on; the refusal is answered, then the connection closes.
            foreach (var group in JoinedGroups(connection).ToList())
            {
                await invocationContext.Hub.Groups.RemoveFromGroupAsync(connection.ConnectionId, group);
            }

            _ = CloseAfterGraceAsync(connection);
            throw new HubException(SessionEnded);
        }

        return await next(invocationContext);
    }

    private static async Task CloseAfterGraceAsync(HubCallerContext connection)
    {
        await Task.Delay(CloseGrace, CancellationToken.None);
        connection.Abort();
    }

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        connections.Add(context.Context);
        return next(context);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        connections.Remove(context.Context);
        return next(context, exception);
    }
}
