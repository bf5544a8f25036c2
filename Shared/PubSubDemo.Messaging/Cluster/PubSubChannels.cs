using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Cluster;

/// <summary>The channel objects both services use, in the mode PUBSUB_MODE asks for; the names come from <see cref="KeyNames"/>.</summary>
internal static class PubSubChannels
{
    public static readonly IReadOnlyDictionary<string, PubSubMode> Modes = new Dictionary<string, PubSubMode>
    {
        ["classic"] = PubSubMode.Classic,
        ["sharded"] = PubSubMode.Sharded,
    };

    /// <summary>CHANNEL: by pattern when it holds glob characters (classic only), else literal or sharded.</summary>
    public static RedisChannel Channel(MessagingOptions messaging) =>
        messaging.ChannelIsPattern ? RedisChannel.Pattern(messaging.Channel) : For(messaging, messaging.Channel);

    /// <summary>One entry of the subscriber's CHANNEL list: by pattern when it is a glob (classic only), else literal or sharded.</summary>
    public static RedisChannel Subscription(MessagingOptions messaging, string entry) =>
        MessagingOptions.IsGlob(entry) ? RedisChannel.Pattern(entry) : For(messaging, entry);

    /// <summary>The doorbell of a queue or stream: on a cluster in sharded mode, it rings on the node that owns the queue.</summary>
    public static RedisChannel Doorbell(MessagingOptions messaging, string queueOrStream) =>
        For(messaging, KeyNames.Doorbell(queueOrStream));

    /// <summary>
    /// A channel by its exact name (what the publisher sends to), sharded or classic. A classic channel is routed by
    /// its slot like a key: the client would otherwise send each PUBLISH to any node, and messages that enter the
    /// cluster at different nodes reach a subscriber out of order. No effect on a single server.
    /// </summary>
    public static RedisChannel For(MessagingOptions messaging, string name) =>
        messaging.PubSubMode == PubSubMode.Sharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name).WithKeyRouting();
}
