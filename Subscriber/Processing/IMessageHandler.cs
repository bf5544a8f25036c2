using PubSubDemo.Shared.Contract;
using PubSubDemo.Subscriber.Stats;

namespace PubSubDemo.Subscriber.Processing;

/// <summary>A message as the handler sees it: where it came from and how long it took to arrive.</summary>
public sealed record ReceivedMessage(MessageSource Source, Message Message, TimeSpan Latency);

/// <summary>
/// Your business logic goes here. Queue and stream deliveries are at-least-once: after a crash the same
/// message can arrive twice, so a handler with side effects keys them on <see cref="Message.Id"/>.
/// Throwing marks the delivery failed: queue and stream items are retried, then dead-lettered.
/// </summary>
public interface IMessageHandler
{
    ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken);
}
