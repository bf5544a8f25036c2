using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Cluster;

/// <summary>The channel objects both services use, in the mode PUBSUB_MODE asks for; the names come from <see cref="KeyNames"/>.</summary>
public static class PubSubChannels
{
    public static readonly IReadOnlyDictionary<string, PubSubMode> Modes = new Dictionary<string, PubSubMode>
    {
        ["classic"] = PubSubMode.Classic,
        ["sharded"] = PubSubMode.Sharded,
    };

    /// <summary>CHANNEL: by pattern when it holds glob characters (classic only), else literal or sharded.</summary>
    public static RedisChannel Channel(MessagingSettings messaging) =>
        messaging.ChannelIsPattern ? RedisChannel.Pattern(messaging.Channel) : For(messaging, messaging.Channel);

    /// <summary>One entry of the subscriber's CHANNEL list: by pattern when it is a glob (classic only), else literal or sharded.</summary>
    public static RedisChannel Subscription(MessagingSettings messaging, string entry) =>
        MessagingSettings.IsGlob(entry) ? RedisChannel.Pattern(entry) : For(messaging, entry);

    /// <summary>The doorbell of a queue or stream: on a cluster in sharded mode, it rings on the node that owns the queue.</summary>
    public static RedisChannel Doorbell(MessagingSettings messaging, string queueOrStream) =>
        For(messaging, KeyNames.Doorbell(queueOrStream));

    /// <summary>
    /// A channel by its exact name (what the publisher sends to), sharded or classic. A classic channel is routed by
    /// its slot like a key: the client would otherwise send each PUBLISH to any node, and messages that enter the
    /// cluster at different nodes reach a subscriber out of order. No effect on a single server.
    /// </summary>
    public static RedisChannel For(MessagingSettings messaging, string name) =>
        messaging.PubSubMode == PubSubMode.Sharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name).WithKeyRouting();

    /// <summary>The settings checks that the cluster adds: names whose derived keys can share their slot, and no glob with sharded.</summary>
    public static void Validate(SettingsReader reader, MessagingSettings messaging)
    {
        if (KeyNames.Problem(messaging.Queue) is { } queue)
        {
            reader.Error(EnvironmentNames.Queue, messaging.Queue, queue);
        }

        if (KeyNames.Problem(messaging.Stream) is { } stream)
        {
            reader.Error(EnvironmentNames.Stream, messaging.Stream, stream);
        }

        if (messaging.PubSubMode == PubSubMode.Sharded && messaging.ChannelIsPattern)
        {
            reader.Error(EnvironmentNames.PubSubMode, "sharded",
                $"CHANNEL='{messaging.Channel}' is a glob and sharded pub/sub cannot subscribe by pattern; use PUBSUB_MODE=classic or a CHANNEL without * ? [");
        }
    }
}
