using PubSubDemo.Messaging.Cluster;

namespace PubSubDemo.Messaging;

/// <summary>What every channel, queue and stream registration can set.</summary>
public abstract class DestinationOptions
{
    /// <summary>Only the library's own kinds (<see cref="QueueOptions"/>, <see cref="StreamOptions"/>, <see cref="ChannelOptions"/>) derive from it.</summary>
    private protected DestinationOptions()
    {
    }

    /// <summary>The largest payload read; a larger one is malformed (logged, counted, set aside). 1 MiB by default.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Classic PUBLISH/SUBSCRIBE, or sharded SPUBLISH/SSUBSCRIBE (Redis 7 cluster), for the channel and the doorbells.</summary>
    public PubSubMode PubSubMode { get; set; } = PubSubMode.Classic;

    /// <summary>
    /// The name this process consumes under (its processing list and heartbeat, its stream consumer); by default the
    /// instance name, unique per process. Pin it only to have a restarted process take over its own unfinished work.
    /// </summary>
    public string? ConsumerName { get; set; }

    /// <summary>
    /// Handle each message id once: a redelivery of an id already handled is acknowledged without calling the
    /// handler, and writes added to <see cref="MessageContext{T}.Effects"/> commit once, with the marker.
    /// </summary>
    public bool Dedupe { get; set; }

    /// <summary>How long a "handled" marker lives (<see cref="Dedupe"/>): a redelivery later than this is handled again.</summary>
    public TimeSpan DedupeTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Which messages reach the handler, e.g. <c>sender=pub-1</c> or <c>content~urgent</c>; the others are acknowledged
    /// and counted as filtered. Null hands every message over.
    /// </summary>
    public string? Filter { get; set; }

    /// <summary>Messages per second this consumer hands its handler at most; null is no limit.</summary>
    public double? HandleRate { get; set; }
}

/// <summary>What a queue and a stream share: partitions, batches, and retries kept on the server.</summary>
public abstract class ReliableDestinationOptions : DestinationOptions
{
    /// <summary>Only <see cref="QueueOptions"/> and <see cref="StreamOptions"/> derive from it.</summary>
    private protected ReliableDestinationOptions()
    {
    }

    /// <summary>How many lists (streams) the name is split into; a key (<see cref="IMessageProducer{T}"/>) keeps one key's messages in one, in order.</summary>
    public int Partitions { get; set; } = 1;

    /// <summary>Most items taken in one round trip.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Failed attempts before a message goes to the dead letters.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the first retry; it doubles per attempt, with jitter, up to <see cref="RetryBackoffMax"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often an idle consumer looks without a doorbell (for producers that do not ring).</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>A list queue: each message to one consumer, at least once; a dead consumer's messages are reclaimed.</summary>
public sealed class QueueOptions : ReliableDestinationOptions
{
    /// <summary>A consumer whose heartbeat is older than this is dead; its in-flight messages go back to the queue.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An idle consumer waits in a blocking BLMOVE on a second connection of its own, so a message reaches it in one hop
    /// (the server's reply) instead of two (a doorbell, then a take). Used where it can be: one partition, no
    /// <see cref="DestinationOptions.HandleRate"/>, a server of one node, and a connection the library made (not the
    /// application's own multiplexer); elsewhere, or when the server refuses BLMOVE, the consumer waits on the doorbell.
    /// Default true; false saves the second connection.
    /// </summary>
    public bool BlockingTake { get; set; } = true;
}

/// <summary>A stream with a consumer group: each message to one consumer of each group, at least once, kept until read by every group.</summary>
public sealed class StreamOptions : ReliableDestinationOptions
{
    /// <summary>The consumer group this process reads in.</summary>
    public string Group { get; set; } = "subscribers";

    /// <summary>Where a new group starts: <c>$</c> (new entries only), <c>0</c> (the whole history) or a stream id.</summary>
    public string StartAt { get; set; } = "$";

    /// <summary>Entries pending longer than this are claimed from their (presumably dead) consumer.</summary>
    public TimeSpan ClaimIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The producer trims the stream to about this many entries, never past what a group has not read; null keeps everything.</summary>
    public long? MaxLength { get; set; }
}

/// <summary>A pub/sub channel: every subscriber gets every message published while it is subscribed, at most once.</summary>
public sealed class ChannelOptions : DestinationOptions
{
    /// <summary>Messages received but not handled yet; past this, new ones are dropped, logged and counted.</summary>
    public int Buffer { get; set; } = 10_000;
}
