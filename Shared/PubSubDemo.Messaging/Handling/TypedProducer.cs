using System.Text.Json.Serialization.Metadata;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Producing;

namespace PubSubDemo.Messaging.Handling;

/// <summary>
/// A typed producer: each message gets its id (a version 7 GUID, fixed before the first attempt, so a retry resends
/// the same id) and timestamp, a producer span when someone listens, and its bytes once; the batch goes through the
/// engine's sender (<see cref="MessageSender.SendNowAsync"/>): one round trip, retried with backoff while the server fails.
/// </summary>
internal sealed class TypedProducer<T>(
    string destination,
    Destinations to,
    MessageSender sender,
    RedisConnection connection,
    JsonTypeInfo<T> json,
    TimeProvider time) : IMessageProducer<T>
{
    public string Destination => destination;

    public async Task<string> SendAsync(T message, string? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default) =>
        (await SendAsync([message], key is null ? null : _ => key, dueAt, cancellationToken))[0];

    public async Task<IReadOnlyList<string>> SendAsync(IReadOnlyList<T> messages, Func<T, string?>? key = null, DateTimeOffset? dueAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return [];
        }

        var multiplexer = await connection.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var batch = new List<OutgoingMessage>(messages.Count);
        var ids = new string[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var value = messages[i];
            ids[i] = Guid.CreateVersion7(now).ToString("N");
            var envelope = new Message(ids[i], "", now, NotBefore: dueAt > now ? dueAt : null);
            batch.Add(new OutgoingMessage(envelope, e => TypedPayload.Write(e, value, json), key?.Invoke(value), MessageTracing.StartSend(destination, ids[i]), to));
        }

        await sender.SendNowAsync(multiplexer.GetDatabase(), batch, connection.Server, cancellationToken);
        return ids;
    }
}
