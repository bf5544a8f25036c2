namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>The kind of Redis destination an outbox row is published to.</summary>
public enum OutboxDestinationKind
{
    /// <summary>A work queue (a list): each message goes to one consumer.</summary>
    Queue = 0,

    /// <summary>A stream: consumer groups read it, and it can be replayed.</summary>
    Stream = 1,

    /// <summary>A pub/sub channel: fire and forget to whoever listens now.</summary>
    Channel = 2,
}

/// <summary>Where an outbox row goes: a destination kind and its name (the queue, stream or channel).</summary>
/// <param name="Kind">Queue, stream or channel.</param>
/// <param name="Name">The queue, stream or channel name as the engine knows it.</param>
public readonly record struct OutboxDestination(OutboxDestinationKind Kind, string Name)
{
    /// <summary>A work queue named <paramref name="name"/>.</summary>
    public static OutboxDestination Queue(string name) => new(OutboxDestinationKind.Queue, name);

    /// <summary>A stream named <paramref name="name"/>.</summary>
    public static OutboxDestination Stream(string name) => new(OutboxDestinationKind.Stream, name);

    /// <summary>A pub/sub channel named <paramref name="name"/>.</summary>
    public static OutboxDestination Channel(string name) => new(OutboxDestinationKind.Channel, name);
}

/// <summary>
/// One message recorded in the outbox table in the same transaction as the business write, then published by the
/// relay. The relay only ever sets <see cref="SentAt"/>, the failure fields (<see cref="Attempts"/>, <see cref="Refusals"/>,
/// <see cref="LastError"/>, <see cref="NextAttemptAt"/>) and <see cref="ParkedAt"/>; <see cref="IOutboxAdmin"/> clears a parking.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>The row's sequence number: the relay publishes rows of one partition key in this order.</summary>
    public long Id { get; set; }

    /// <summary>The message's id, fixed when the row is recorded, so every resend carries the same id (DEDUPE, inbox).</summary>
    public required string MessageId { get; set; }

    /// <summary>Queue, stream or channel.</summary>
    public OutboxDestinationKind DestinationKind { get; set; }

    /// <summary>The queue, stream or channel name.</summary>
    public required string DestinationName { get; set; }

    /// <summary>The partition key; rows with the same key are published in <see cref="Id"/> order. Null: no order asked.</summary>
    public string? PartitionKey { get; set; }

    /// <summary>The message as it goes on the wire (the flat JSON bytes).</summary>
    public required byte[] Payload { get; set; }

    /// <summary>When the row was recorded (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>Not published before this time (UTC); null: as soon as possible.</summary>
    public DateTime? DueAt { get; set; }

    /// <summary>When the relay saw the transport accept it (UTC); null while unsent.</summary>
    public DateTime? SentAt { get; set; }

    /// <summary>How many sends failed for this row so far, for any reason (a server that was away counts too).</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// How many times the transport refused this very row (<see cref="OutboxSendRefusedException"/>); at
    /// <see cref="OutboxRelayOptions.MaxRefusals"/> the row is parked. A server that is away never counts here.
    /// </summary>
    public int Refusals { get; set; }

    /// <summary>The last send failure, for the operator; null when none.</summary>
    public string? LastError { get; set; }

    /// <summary>
    /// A refused row is not tried again before this time (UTC), and the rows behind it with the same partition key wait
    /// with it; null when it was never refused.
    /// </summary>
    public DateTime? NextAttemptAt { get; set; }

    /// <summary>
    /// When the relay set the row aside after <see cref="OutboxRelayOptions.MaxRefusals"/> refusals (UTC): it is no longer
    /// sent, no longer holds its key, and is never deleted by the cleanup; <see cref="IOutboxAdmin.RequeueAsync"/> puts it back.
    /// </summary>
    public DateTime? ParkedAt { get; set; }

    /// <summary>Where the row goes.</summary>
    public OutboxDestination Destination => new(DestinationKind, DestinationName);
}
