namespace PubSubDemo.Messaging;

/// <summary>
/// PUBSUB_MODE: how the channel and the doorbells are published and subscribed. Classic PUBLISH/SUBSCRIBE is
/// understood by every client and server, but on a Redis Cluster each message is broadcast over the cluster bus to
/// every node; sharded SPUBLISH/SSUBSCRIBE (Redis 7+) keeps a channel on the primary that owns its slot.
/// </summary>
public enum PubSubMode
{
    Classic,
    Sharded,
}
