using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Dedupe;

/// <summary>
/// DEDUPE for the consumers: where a source's markers live, and a <see cref="DedupeBatch"/> per batch that looked them
/// up. The queue's consumers share one set of markers per partition (<c>{queue}:handled:id</c>); each stream group has
/// its own (<c>{stream}:handled:group:id</c>), since every group handles every entry; on the channel, every subscriber
/// still gets every message and each consumer name has its own (<c>{channel}:handled:consumer:id</c>): it guards
/// against duplicate publishes, and subscribers that pin one CONSUMER_NAME handle each id once between them.
/// Off (the default), <see cref="BeginAsync"/> asks nothing: no extra round trip.
/// </summary>
internal sealed class Deduplicator(DedupeOptions settings, MessagingOptions messaging, ConsumerOptions subscriber)
{
    public bool Enabled => settings.Enabled;

    /// <summary>
    /// The one way a consumer's batch of <paramref name="deliveries"/> (from partition <paramref name="partition"/>, already
    /// read) enters DEDUPE: when it is on, asks the server in one round trip which of their ids were handled already;
    /// when it is off, returns a batch that hands each delivery straight to the processing path, at no cost.
    /// </summary>
    public async Task<DedupeBatch> BeginAsync(IDatabase database, string partition, IReadOnlyList<Delivery> deliveries)
    {
        if (!settings.Enabled || deliveries.Count == 0)
        {
            return new DedupeBatch(deliveries);
        }

        var scope = deliveries[0].Source switch
        {
            MessageSource.Queue => "",
            MessageSource.Stream => messaging.Group,
            _ => subscriber.ConsumerFor(messaging),
        };
        var markers = new RedisKey[deliveries.Count];
        var lookups = new Task<bool>[deliveries.Count];
        for (var i = 0; i < deliveries.Count; i++)
        {
            markers[i] = deliveries[i].Id is { } id ? KeyNames.Handled(partition, scope, id) : default;
            lookups[i] = deliveries[i].Id is null ? Task.FromResult(false) : database.KeyExistsAsync(markers[i]);
        }

        return new DedupeBatch(deliveries, new(KeyNames.Effects(partition), markers, await Task.WhenAll(lookups), settings.Ttl));
    }
}
