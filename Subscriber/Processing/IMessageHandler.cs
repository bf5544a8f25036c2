using PubSubDemo.Shared.Contract;

namespace PubSubDemo.Subscriber.Processing;

/// <summary>Where a message came from: the words used in log lines, summaries and metric tags.</summary>
public enum MessageSource
{
    Channel,
    Queue,
    Stream,
}

/// <summary>A message as the handler sees it, and where it came from.</summary>
public sealed record ReceivedMessage(MessageSource Source, Message Message)
{
    /// <summary>With DEDUPE=true, where a handler whose effect lives in Redis adds its writes, to commit once with the "handled" marker; null otherwise.</summary>
    public RedisEffects? Effects { get; init; }
}

/// <summary>
/// Your business logic goes here. Queue and stream deliveries are at-least-once: after a crash the same
/// message can arrive twice, so a handler with side effects keys them on <see cref="Message.Id"/> (DEDUPE=true does
/// that for you: an id already handled is not handed over again, and writes added to <see cref="ReceivedMessage.Effects"/>
/// are applied exactly once).
/// Throwing marks the delivery failed: queue and stream items are retried, then dead-lettered.
/// </summary>
public interface IMessageHandler
{
    ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken);
}
