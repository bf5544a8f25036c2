namespace PubSubDemo.Messaging.Cluster;

/// <summary>
/// With PUBSUB_MODE=sharded, the start-up probe (<see cref="Connection.ServerProbe"/>) checks once on connect, before any
/// worker gets the connection, that the server has sharded pub/sub at all: an SPUBLISH to <see cref="ProbeChannel"/>.
/// A server without it (Redis 6, SPUBLISH renamed away, Garnet outside cluster mode) stops the service with one line
/// that says so, and exit 2.
/// </summary>
internal static class ShardedPubSub
{
    /// <summary>A channel nobody subscribes to: an SPUBLISH to it shows whether the server knows the command.</summary>
    public const string ProbeChannel = "pubsubdemo:sharded-probe";
}
