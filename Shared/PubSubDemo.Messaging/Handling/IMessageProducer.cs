namespace PubSubDemo.Messaging;

/// <summary>
/// Sends messages of type <typeparamref name="T"/> to the channel, queue or stream it was registered for. A call
/// completes once the server has taken every message (one round trip per batch); while the server fails, it is
/// retried with backoff and the same bytes (the same ids) until it is taken or the call's cancellation token ends it.
/// Registered once per destination: inject <c>IMessageProducer&lt;T&gt;</c> (the first registered for <typeparamref name="T"/>)
/// or <c>[FromKeyedServices("name")] IMessageProducer&lt;T&gt;</c>. What it does is reported to every
/// <see cref="IProducerObserver"/> in DI.
/// </summary>
public interface IMessageProducer<T>
{
    /// <summary>The channel, queue or stream name.</summary>
    string Destination { get; }

    /// <summary>
    /// Sends one message; returns its id. <paramref name="key"/> picks the partition (one key's messages stay in order in
    /// one partition); <paramref name="dueAt"/> holds a queue or stream message on the server until then.
    /// </summary>
    Task<string> SendAsync(T message, string? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default);

    /// <summary>Sends many in one round trip (per partition); returns their ids in order.</summary>
    Task<IReadOnlyList<string>> SendAsync(IReadOnlyList<T> messages, Func<T, string?>? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends many in one round trip (per partition) and retries while the server fails, like
    /// <see cref="SendAsync(IReadOnlyList{T}, Func{T, string?}?, DateTimeOffset?, CancellationToken)"/>, but gives up once
    /// <paramref name="giveUpAfter"/> has passed (measured from the call, including the wait for a first connection): a
    /// backoff pause the deadline cuts short is followed by one last try, then the messages the server has not taken are
    /// given up (logged with their ids, reported as <see cref="ProducerOutcome.GivenUp"/>). A server that stays away is
    /// no exception: the result lists what was not accepted. <paramref name="cancellationToken"/> still cancels outright.
    /// </summary>
    Task<SendResult> TrySendAsync(IReadOnlyList<T> messages, TimeSpan giveUpAfter, Func<T, string?>? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default);
}
