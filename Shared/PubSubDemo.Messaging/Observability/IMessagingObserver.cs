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
}

/// <summary>One outcome of <paramref name="Count"/> deliveries from <paramref name="Destination"/>.</summary>
public readonly record struct MessageEvent(MessageSource Source, string Destination, MessageOutcome Outcome, int Count, TimeSpan? Latency);

/// <summary>
/// Sees every outcome the engine counts, as it happens, on the consumer's own thread: keep it cheap (an interlocked add,
/// a histogram record) and never throw. Register implementations in DI (<c>services.AddSingleton&lt;IMessagingObserver, MyObserver&gt;()</c>);
/// the same figures are also on the <c>PubSubDemo.Subscriber</c> meter.
/// </summary>
public interface IMessagingObserver
{
    /// <summary>An outcome of one delivery, or of several settled together (<see cref="MessageEvent.Count"/>).</summary>
    void OnMessage(in MessageEvent message);
}
