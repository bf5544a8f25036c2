using System.Text.Json.Serialization.Metadata;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// Records messages of type <typeparamref name="T"/> in the outbox of the scope's DbContext: the message gets its id
/// and timestamp now and its bytes once (the seeds' flat JSON, as <see cref="IMessageProducer{T}"/> writes it), and is
/// saved by the application's next <c>SaveChanges</c>, in the same transaction as its business write. The relay sends
/// it afterwards, at least once, always with that id.
/// </summary>
public interface IOutboxProducer<T>
{
    /// <summary>
    /// Adds <paramref name="message"/> to the outbox; returns its id. <paramref name="key"/> keeps one key's messages in
    /// order (and in one partition); <paramref name="dueAt"/> holds a queue or stream message on the server until then.
    /// </summary>
    string Add(T message, string? key = null, DateTimeOffset? dueAt = null);
}

/// <summary>The outbox producer of one destination, over the scope's <see cref="IOutbox"/>.</summary>
internal sealed class OutboxProducer<T>(IOutbox outbox, OutboxDestination destination, JsonTypeInfo<T> json, TimeProvider time) : IOutboxProducer<T>
{
    public string Add(T message, string? key = null, DateTimeOffset? dueAt = null)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now).ToString("N");
        var notBefore = dueAt > now ? dueAt : null;
        outbox.Add(destination, id, key, TypedPayload.Write(new Message(id, "", now, NotBefore: notBefore), message, json), notBefore);
        return id;
    }
}
