using Microsoft.EntityFrameworkCore;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// Records messages in the outbox of the scope's DbContext. Nothing is written until the app calls
/// <c>SaveChanges</c>: the row commits with the business write, or not at all.
/// </summary>
public interface IOutbox
{
    /// <summary>
    /// Adds a row to the change tracker of the scope's DbContext. <paramref name="messageId"/> is the id every resend
    /// carries; rows with the same <paramref name="partitionKey"/> are published in the order they were added.
    /// </summary>
    /// <returns>The tracked row (its <see cref="OutboxMessage.Id"/> is set by <c>SaveChanges</c>).</returns>
    OutboxMessage Add(OutboxDestination destination, string messageId, string? partitionKey, byte[] payload, DateTimeOffset? dueAt = null);
}

/// <summary>The outbox of <typeparamref name="TContext"/>, whose model called <see cref="MessagingModelBuilderExtensions.AddMessagingOutbox"/>.</summary>
/// <param name="context">The scope's DbContext: the same instance the business write goes through.</param>
/// <param name="time">The clock for <see cref="OutboxMessage.CreatedAt"/>.</param>
public sealed class Outbox<TContext>(TContext context, TimeProvider time) : IOutbox
    where TContext : DbContext
{
    /// <inheritdoc />
    public OutboxMessage Add(OutboxDestination destination, string messageId, string? partitionKey, byte[] payload, DateTimeOffset? dueAt = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(destination.Name, nameof(destination));
        ArgumentNullException.ThrowIfNull(payload);
        var row = new OutboxMessage
        {
            MessageId = messageId,
            DestinationKind = destination.Kind,
            DestinationName = destination.Name,
            PartitionKey = partitionKey,
            Payload = payload,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            DueAt = dueAt?.UtcDateTime,
        };
        context.Set<OutboxMessage>().Add(row);
        return row;
    }
}

/// <summary>
/// Publishes a batch of outbox rows to Redis; the engine's producer implements it. The relay marks the batch sent
/// only after <see cref="SendAsync"/> returns, so a throw or a crash means the whole batch is sent again (at least
/// once, the ids unchanged).
/// </summary>
public interface IOutboxTransport
{
    /// <summary>
    /// Sends every row of <paramref name="batch"/>; rows are in <see cref="OutboxMessage.Id"/> order and rows of one
    /// partition key must reach the server in that order. Returns only when the server accepted all of them.
    /// </summary>
    Task SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken);
}
