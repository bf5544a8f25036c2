using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Messaging.Processing;

/// <summary>A message as the handler sees it, and where it came from.</summary>
internal sealed record ReceivedMessage(MessageSource Source, Message Message)
{
    /// <summary>With DEDUPE=true, where a handler whose effect lives in Redis adds its writes, to commit once with the "handled" marker; null otherwise.</summary>
    public RedisEffects? Effects { get; init; }

    /// <summary>The payload as it arrived: a typed handler reads its own fields from it.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The channel, queue or stream it came from (the name registered, not the partition).</summary>
    public string Destination { get; init; } = "";

    /// <summary>This delivery's attempt: 1 for a first delivery, one more after each failed one.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The index of the partition it came from; 0 when the destination has one partition (and on a channel).</summary>
    public int Partition { get; init; }
}

/// <summary>
/// Thrown by a handler whose payload cannot be its message type: the delivery is malformed (counted, logged with an
/// excerpt, set aside in the dead letters), not failed, since no retry can change its bytes.
/// </summary>
internal sealed class MalformedMessageException(string reason) : Exception(reason);

/// <summary>
/// Your business logic goes here. Queue and stream deliveries are at-least-once: after a crash the same
/// message can arrive twice, so a handler with side effects keys them on <see cref="Message.Id"/> (DEDUPE=true does
/// that for you: an id already handled is not handed over again, and writes added to <see cref="ReceivedMessage.Effects"/>
/// are applied exactly once).
/// Throwing marks the delivery failed: queue and stream items are retried, then dead-lettered.
/// </summary>
internal interface IMessageHandler
{
    ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken);
}
