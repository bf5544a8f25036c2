using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Selection;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// What every consumer is made of: the one connection, the settings, the processing path every delivery takes,
/// the clock, the loop heartbeat and HANDLE_RATE's limiter. Registered once, so a consumer's constructor names only what is its own.
/// </summary>
internal sealed record ConsumerServices(
    RedisConnection Connection,
    MessagingOptions Messaging,
    ConsumerOptions Settings,
    MessageProcessor Processor,
    TimeProvider Time,
    LoopHeartbeat Heartbeat,
    Dedupe.Deduplicator Dedupe,
    HandleRate Rate,
    MessagingReadiness Readiness)
{
    /// <summary>The name this process consumes under: CONSUMER_NAME, else the instance name.</summary>
    public string Consumer => Settings.ConsumerFor(Messaging);
}
