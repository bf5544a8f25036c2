using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// One subscribe attempt, for the channel and the doorbells alike. The client keeps a subscription that failed in its
/// own table and makes it on whichever node answers first once a connection is up; on a cluster that can be a second
/// node beside the one our retry then reaches, and classic PUBLISH, broadcast over the bus, would arrive twice (the
/// server would count two subscriptions for one consumer). So no attempt is made while the node that would take the
/// subscription has no subscription connection yet (just after start, before the client has reached every node), and a
/// failed attempt is forgotten before the retry.
/// </summary>
internal static class Subscriptions
{
    public static Task<ChannelMessageQueue> SubscribeOnceAsync(ISubscriber subscriber, RedisChannel channel) =>
        AttemptAsync(subscriber, channel, () => subscriber.SubscribeAsync(channel));

    public static Task SubscribeOnceAsync(ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler) =>
        AttemptAsync(subscriber, channel, async () =>
        {
            await subscriber.SubscribeAsync(channel, handler);
            return true;
        });

    private static async Task<T> AttemptAsync<T>(ISubscriber subscriber, RedisChannel channel, Func<Task<T>> subscribe)
    {
        EnsureConnected(subscriber, channel);
        try
        {
            return await subscribe();
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            await ForgetAsync(subscriber, channel);
            throw;
        }
    }

    /// <summary>
    /// Throws the client's own transient error (so the caller's retry logs it and waits) while the attempt would land on
    /// the wrong node: the one that takes the subscription has no subscription connection yet, or, on a cluster, the
    /// client does not yet route the channel to the primary that owns its slot (it would subscribe on the first node it
    /// reached, and again on the owner once it learns the slots, without leaving the first).
    /// </summary>
    private static void EnsureConnected(ISubscriber subscriber, RedisChannel channel)
    {
        if (!subscriber.IsConnected(channel))
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, $"the server that takes '{channel}' has no subscription connection yet");
        }

        if (channel.IsPattern || ClusterOwner(subscriber.Multiplexer, channel) is not { } owner)
        {
            return;
        }

        var routed = subscriber.IdentifyEndpoint(channel);
        if (routed is null || RedisAddress.Format(routed) != owner)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, $"the client does not route '{channel}' to {owner}, the primary that owns its slot, yet");
        }
    }

    /// <summary>On a cluster, the address of the primary that owns <paramref name="channel"/>'s slot as the nodes last told the client; else null.</summary>
    private static string? ClusterOwner(IConnectionMultiplexer multiplexer, RedisChannel channel)
    {
        var configuration = multiplexer.GetServers().FirstOrDefault(s => s.IsConnected && s.ServerType == ServerType.Cluster)?.ClusterConfiguration;
        return configuration?.GetBySlot(multiplexer.HashSlot(channel.ToString()))?.EndPoint is { } endpoint ? RedisAddress.Format(endpoint) : null;
    }

    private static async Task ForgetAsync(ISubscriber subscriber, RedisChannel channel)
    {
        try
        {
            await subscriber.UnsubscribeAsync(channel);
        }
        catch (Exception again) when (RedisErrors.IsTransient(again))
        {
            // Not connected either: the entry is gone from the client's table all the same.
        }
    }
}
