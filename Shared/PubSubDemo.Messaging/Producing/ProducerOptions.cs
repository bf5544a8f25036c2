namespace PubSubDemo.Messaging.Producing;

/// <summary>How the producer sends: batch size, the partition key, stream trimming, and whether each send is logged.</summary>
internal class ProducerOptions
{
    public int BatchSize { get; set; } = 256;

    public bool LogMessages { get; set; } = true;

    /// <summary>STREAM_MAXLEN: trims the stream approximately on every add; null keeps everything.</summary>
    public long? StreamMaxLength { get; set; }

    /// <summary>
    /// MESSAGE_KEY: the message field whose value picks the partition (the same value, the same partition, so one key's
    /// messages keep their order); null spreads batches round-robin over the partitions.
    /// </summary>
    public string? MessageKey { get; set; }

    /// <summary>The values MESSAGE_KEY accepts: the fields of the message.</summary>
    public static readonly IReadOnlyList<string> MessageKeys = ["sender", "id", "content", "timestamp", "seq"];
}
