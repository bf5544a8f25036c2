namespace PubSubDemo.Messaging;

/// <summary>What became of deliveries, as the engine reports it once per outcome.</summary>
public enum MessageOutcome
{
    /// <summary>A delivery arrived, well-formed or not.</summary>
    Received,

    /// <summary>The handler completed; <see cref="MessageEvent.Latency"/> is the time since it was sent (or became due).</summary>
    Handled,

    /// <summary>The payload could not be read as a message (or as its type): logged with an excerpt and set aside.</summary>
    Malformed,

    /// <summary>The handler threw (or a DEDUPE effect failed on the server).</summary>
    Failed,

    /// <summary>Failed deliveries put on the server's due set for a later attempt.</summary>
    Retried,

    /// <summary>Deliveries not due yet, kept on the server (or, on a channel, waited for) until their due time.</summary>
    Deferred,

    /// <summary>Deliveries moved to the dead letters after their last attempt, or at once when malformed.</summary>
    DeadLettered,

    /// <summary>DEDUPE: deliveries whose id was handled before, acknowledged without calling the handler.</summary>
    Duplicate,

    /// <summary>Deliveries the filter kept from the handler, acknowledged.</summary>
    Filtered,

    /// <summary>Channel messages shed because the consumer's buffer was full.</summary>
    Dropped,

    /// <summary>Stream entries trimmed or deleted on the server before they could be handled.</summary>
    Lost,

    /// <summary>
    /// The server closed a channel subscription while messages were arriving (most likely its pub/sub output-buffer
    /// limit): what was published until the consumer resubscribed is lost. One per closing; no delivery is counted.
    /// </summary>
    Disconnected,
}

/// <summary>
/// One outcome of <paramref name="Count"/> deliveries from <paramref name="Destination"/>. An outcome of one delivery
/// also says which message it was, as far as the engine had read it: <see cref="MessageId"/>, <see cref="Sender"/>,
/// <see cref="Sequence"/> and <see cref="SentAt"/> from the message's engine fields, <see cref="Channel"/> for a
/// channel delivery, and for <see cref="MessageOutcome.Handled"/> the moment (<see cref="HandledAt"/>) and
/// <see cref="TraceId"/>. Outcomes the consumer settles several at a time (retried, deferred on the server,
/// dead-lettered) carry only their count. Nothing here is allocated per event: it is passed by reference.
/// </summary>
public readonly record struct MessageEvent(MessageSource Source, string Destination, MessageOutcome Outcome, int Count, TimeSpan? Latency)
{
    /// <summary>The message's <c>id</c>, once the payload was read (null for a payload that is not a message, or a settled batch).</summary>
    public string? MessageId { get; init; }

    /// <summary>The message's <c>sender</c> field, when it has one (the demo's publisher sets it).</summary>
    public string? Sender { get; init; }

    /// <summary>The message's <c>seq</c> field: the sender's sequence number, by which a channel's gaps can be told.</summary>
    public long? Sequence { get; init; }

    /// <summary>The message's <c>timestamp</c>: when its producer sent it.</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>A channel delivery's channel: the subscribed name, or for a glob the channel the message came on.</summary>
    public string? Channel { get; init; }

    /// <summary><see cref="MessageOutcome.Handled"/>: when the handler completed (the clock read <see cref="Latency"/> was taken from).</summary>
    public DateTimeOffset? HandledAt { get; init; }

    /// <summary><see cref="MessageOutcome.Handled"/>: the W3C trace id the message carried, when the producer traced it.</summary>
    public string? TraceId { get; init; }
}

/// <summary>
/// What waits on the server for one queue or stream consumer, as the engine last read it: <paramref name="Waiting"/>
/// (queue items not yet taken, or stream entries the group has not read), <paramref name="Due"/> (retries and delayed
/// messages in the due set), <paramref name="InProgress"/> (the queue items this consumer holds) and
/// <paramref name="DeadLetters"/>, each summed over the partitions; -1 where it is unknown (not read yet, not measured).
/// </summary>
public readonly record struct BacklogEvent(MessageSource Source, string Destination, long Waiting, long Due, long InProgress, long DeadLetters);

/// <summary>
/// Sees every outcome the engine counts, as it happens, on the consumer's own thread: keep it cheap (an interlocked add,
/// a histogram record) and never throw. Register implementations in DI (<c>services.AddSingleton&lt;IMessagingObserver, MyObserver&gt;()</c>);
/// the same figures are also on the <c>PubSubDemo.Subscriber</c> meter.
/// </summary>
public interface IMessagingObserver
{
    /// <summary>An outcome of one delivery, or of several settled together (<see cref="MessageEvent.Count"/>).</summary>
    void OnMessage(in MessageEvent message);

    /// <summary>The backlog of a queue or stream, after each time the engine read it from the server (about once a second where it is read); does nothing unless implemented.</summary>
    void OnBacklog(in BacklogEvent backlog)
    {
    }
}
