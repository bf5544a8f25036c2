using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>How the subscriber consumes: batch sizes, buffers, failure handling and what it logs.</summary>
internal class ConsumerOptions
{
    /// <summary>One line per message handled (LOG_MESSAGES); turn off under load.</summary>
    public bool LogMessages { get; set; } = true;

    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most queue items or stream entries taken in one round trip.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Channel messages received but not yet handled; past this, new ones are dropped, logged and counted.</summary>
    public int ChannelBuffer { get; set; } = 10_000;

    /// <summary>Names this consumer's processing list and heartbeat; unique per process unless CONSUMER_NAME pins it.</summary>
    public string ConsumerName { get; set; } = "";

    /// <summary>A consumer whose heartbeat is older than this is dead; its in-flight items go back to the queue.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed attempts before an item goes to the dead-letter list.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>RETRY_BACKOFF: the wait before the first retry of a failed queue item or stream entry; it doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>RETRY_BACKOFF_MAX: the longest wait between two attempts.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Stream entries pending longer than this are claimed from their (presumably dead) consumer.</summary>
    public TimeSpan ClaimIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle consumer looks at the queue without a doorbell (for producers that do not ring).</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// BLOCKING_TAKE: an idle queue consumer waits in BLMOVE on a connection of its own, so an item reaches it in the
    /// server's reply instead of a doorbell and a take (one hop instead of two). Only where it can: one partition, no
    /// HANDLE_RATE, a server of one node, a connection of ours; elsewhere, or when the server refuses it, the doorbell.
    /// </summary>
    public bool BlockingTake { get; set; } = true;

    /// <summary>Simulated work per message, for demos of a slow handler.</summary>
    public TimeSpan HandlerDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Fault injection: the handler fails on messages whose content contains this text.</summary>
    public string? FailOn { get; set; }

    /// <summary>Where a new stream consumer group starts: <c>$</c> (new entries only) or <c>0</c> (replay history).</summary>
    public string StreamStart { get; set; } = "$";

    /// <summary>The name this process consumes under: CONSUMER_NAME, else the instance name.</summary>
    public string ConsumerFor(MessagingOptions messaging) => ConsumerName.Length > 0 ? ConsumerName : messaging.InstanceName;
}
