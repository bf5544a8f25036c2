namespace PubSubDemo.Messaging;

/// <summary>
/// Your business logic for messages of type <typeparamref name="T"/>. It is resolved in its own DI scope for each
/// delivery, so it may take scoped services (a DbContext). Queue and stream deliveries are at least once: after a
/// crash the same message can arrive again, so an effect is keyed on <see cref="MessageContext{T}.Id"/>, or kept in
/// Redis through <see cref="MessageContext{T}.Effects"/> with <see cref="DestinationOptions.Dedupe"/> on, which applies it once.
/// Throwing fails the delivery: a queue or stream message is retried with backoff, then dead-lettered.
/// </summary>
public interface IMessageHandler<T>
{
    /// <summary>
    /// Handles one delivery. Returning acknowledges it (a queue item leaves the processing list, a stream entry is
    /// XACKed, with DEDUPE its effects and marker commit first); throwing fails this attempt. The delivery's DI scope
    /// is disposed after it returns.
    /// </summary>
    /// <param name="context">The typed message and what the engine knows about this delivery.</param>
    /// <param name="cancellationToken">Cancelled when the host stops; an attempt cut short is not acknowledged, so a queue or stream message is delivered again.</param>
    ValueTask HandleAsync(MessageContext<T> context, CancellationToken cancellationToken);
}

/// <summary>One delivery: the typed message and what the engine knows about it.</summary>
public sealed class MessageContext<T>
{
    internal MessageContext(T message, string id, MessageSource source, string destination, DateTimeOffset timestamp, DateTimeOffset? notBefore, string? traceparent, RedisEffects? effects, IServiceProvider services)
    {
        Message = message;
        Id = id;
        Source = source;
        Destination = destination;
        Timestamp = timestamp;
        NotBefore = notBefore;
        Traceparent = traceparent;
        Effects = effects;
        Services = services;
    }

    /// <summary>The message's own fields.</summary>
    public T Message { get; }

    /// <summary>The id its producer gave it, the same on every redelivery.</summary>
    public string Id { get; }

    /// <summary>Whether it came from a channel, a queue or a stream.</summary>
    public MessageSource Source { get; }

    /// <summary>The channel, queue or stream name it was registered under.</summary>
    public string Destination { get; }

    /// <summary>When its producer sent it.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>When it became due, for a message sent with a due time; null when it was due at once.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>The W3C trace context its producer sent; the handler already runs in a consumer span that continues it.</summary>
    public string? Traceparent { get; }

    /// <summary>
    /// Which attempt this delivery is: 1 for a first delivery, 2 for the first retry after the handler threw, and so on up
    /// to <see cref="ReliableDestinationOptions.MaxAttempts"/>. A queue message carries its count with it through its
    /// retries (a redriven dead letter starts again at 1); a stream entry's is the group's delivery count for it, as the
    /// engine last read it (a redelivery after a crash may still say 1). Always 1 on a channel, which never redelivers.
    /// </summary>
    public int Attempt { get; internal init; } = 1;

    /// <summary>
    /// The index of the partition the delivery came from, 0 to <see cref="ReliableDestinationOptions.Partitions"/> - 1: partition 0
    /// is the name itself, so a destination with one partition (the default) always says 0, as a channel does. Messages
    /// sent with one key stay in one partition, and in their order there.
    /// </summary>
    public int Partition { get; internal init; }

    /// <summary>With <see cref="DestinationOptions.Dedupe"/>: the Redis writes to commit once, with the "handled" marker; null otherwise.</summary>
    public RedisEffects? Effects { get; }

    /// <summary>This delivery's DI scope.</summary>
    public IServiceProvider Services { get; }
}
