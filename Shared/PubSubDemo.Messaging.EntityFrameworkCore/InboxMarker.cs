namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// "This message was handled by this consumer": written in the same transaction as the handler's effects, so a
/// redelivery (the Redis acknowledgement lost after the commit) finds it and skips the effect.
/// </summary>
public sealed class InboxMarker
{
    /// <summary>Who handled it: the consumer group or another scope name; one message can be handled once per scope.</summary>
    public required string Scope { get; set; }

    /// <summary>The message's id (the outbox's <see cref="OutboxMessage.MessageId"/> when it came through one).</summary>
    public required string MessageId { get; set; }

    /// <summary>When the handler's transaction recorded it (UTC).</summary>
    public DateTime HandledAt { get; set; }
}

/// <summary>
/// The relay lease for databases without row locks that skip (SQLite): one row per relay name; the relay that holds
/// an unexpired lease is the only one publishing.
/// </summary>
public sealed class OutboxLease
{
    /// <summary>The relay's name (<see cref="OutboxRelayOptions.RelayName"/>): relays of one outbox share it.</summary>
    public required string Name { get; set; }

    /// <summary>The relay instance holding the lease, or empty when nobody ever took it.</summary>
    public required string Holder { get; set; }

    /// <summary>The lease is free for another relay after this time (UTC).</summary>
    public DateTime ExpiresAt { get; set; }
}
