namespace PubSubDemo.Messaging;

/// <summary>What a producer reports about its sends.</summary>
public enum ProducerOutcome
{
    /// <summary>
    /// One destination (one partition of it) took <see cref="ProducerEvent.Count"/> messages: a queue's RPUSH with the
    /// list's length after it (<see cref="ProducerEvent.Length"/>), a channel's PUBLISH with the subscribers it reached
    /// (<see cref="ProducerEvent.Receivers"/>), a stream's XADD.
    /// </summary>
    Taken,

    /// <summary>
    /// Every destination took the <see cref="ProducerEvent.Count"/> messages of one send (<see cref="ProducerEvent.Bytes"/>
    /// in their payloads): the call's messages are on the server.
    /// </summary>
    Sent,

    /// <summary>A send failed on a transient server error (<see cref="ProducerEvent.Reason"/>) and goes again with the same bytes after a backoff.</summary>
    Retried,

    /// <summary>
    /// A send with a give-up deadline (<see cref="IMessageProducer{T}.TrySendAsync"/>) ran out of time: these
    /// <see cref="ProducerEvent.Count"/> messages were not taken (<see cref="ProducerEvent.Reason"/> says why).
    /// </summary>
    GivenUp,

    /// <summary>
    /// A stream with <see cref="StreamOptions.MaxLength"/> was trimmed: <see cref="ProducerEvent.Length"/> is its length
    /// after the trim, <see cref="ProducerEvent.RetentionHeld"/> whether a lagging group kept it past the limit.
    /// </summary>
    Trimmed,
}

/// <summary>
/// One thing a producer did with <paramref name="Count"/> messages for <paramref name="Destination"/> (the registered
/// channel, queue or stream name). The optional figures are set for the outcomes that have them.
/// </summary>
public readonly record struct ProducerEvent(string Destination, ProducerOutcome Outcome, int Count)
{
    /// <summary><see cref="ProducerOutcome.Taken"/> and <see cref="ProducerOutcome.Trimmed"/>: the queue's or stream's partition (0 without partitions).</summary>
    public int Partition { get; init; }

    /// <summary><see cref="ProducerOutcome.Taken"/> on a queue: the list's length after the push; <see cref="ProducerOutcome.Trimmed"/>: the stream's length after the trim.</summary>
    public long? Length { get; init; }

    /// <summary><see cref="ProducerOutcome.Taken"/> on a channel: how many subscribers the publish reached.</summary>
    public long? Receivers { get; init; }

    /// <summary><see cref="ProducerOutcome.Trimmed"/>: true while a consumer group that has not read the oldest entries keeps the stream past its limit.</summary>
    public bool RetentionHeld { get; init; }

    /// <summary><see cref="ProducerOutcome.Sent"/>: the payload bytes of the messages sent.</summary>
    public long Bytes { get; init; }

    /// <summary><see cref="ProducerOutcome.Retried"/> and <see cref="ProducerOutcome.GivenUp"/>: the server's error.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Sees what every producer registered with <see cref="MessagingBuilder"/> does, once per event as it happens: messages
/// taken by a destination, sends completed, retried or given up, stream trims. It runs on the sending path (a reply's
/// continuation): keep it cheap (an interlocked add, a field write) and never throw. Register implementations in DI
/// (<c>services.AddSingleton&lt;IProducerObserver, MyObserver&gt;()</c>).
/// </summary>
public interface IProducerObserver
{
    /// <summary>One event of one producer (<see cref="ProducerEvent.Destination"/> names it).</summary>
    void OnSend(in ProducerEvent send);
}
