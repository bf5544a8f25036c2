namespace PubSubDemo.Messaging;

/// <summary>
/// How the channel and the doorbells (the demo's PUBSUB_MODE) are published and subscribed. Classic PUBLISH/SUBSCRIBE is
/// understood by every client and server, but on a Redis Cluster each message is broadcast over the cluster bus to
/// every node; sharded SPUBLISH/SSUBSCRIBE (Redis 7+) keeps a channel on the primary that owns its slot.
/// </summary>
public enum PubSubMode
{
    /// <summary>PUBLISH and SUBSCRIBE (or PSUBSCRIBE for a channel name with <c>* ? [</c>): every server and client understands them.</summary>
    Classic,

    /// <summary>SPUBLISH and SSUBSCRIBE (Redis 7+, Valkey): a channel lives on the primary that owns its slot; no pattern subscriptions.</summary>
    Sharded,
}
