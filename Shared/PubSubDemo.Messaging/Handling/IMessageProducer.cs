namespace PubSubDemo.Messaging;

/// <summary>
/// Sends messages of type <typeparamref name="T"/> to the channel, queue or stream it was registered for. A call
/// completes once the server has taken every message (one round trip per batch); while the server fails, it is
/// retried with backoff and the same bytes (the same ids) until it is taken or <paramref name="cancellationToken"/> ends it.
/// Registered once per destination: inject <c>IMessageProducer&lt;T&gt;</c> (the first registered for <typeparamref name="T"/>)
/// or <c>[FromKeyedServices("name")] IMessageProducer&lt;T&gt;</c>.
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
}
