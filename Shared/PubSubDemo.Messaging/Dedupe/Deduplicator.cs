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
/// Off (the default), <see cref="CheckAsync"/> returns null and the consumers take their usual path: no extra round trip.
/// </summary>
internal sealed class Deduplicator(DedupeOptions settings, MessagingOptions messaging, ConsumerOptions subscriber)
{
    public bool Enabled => settings.Enabled;

    /// <summary>
    /// Reads the ids of <paramref name="payloads"/> (from partition <paramref name="partition"/> of <paramref name="source"/>)
    /// and asks the server, in one round trip, which were handled already; null when DEDUPE is off.
    /// </summary>
    public async Task<DedupeBatch?> CheckAsync(IDatabase database, MessageSource source, string partition, IReadOnlyList<RedisValue> payloads)
    {
        if (!settings.Enabled)
        {
            return null;
        }

        var scope = source switch
        {
            MessageSource.Queue => "",
            MessageSource.Stream => messaging.Group,
            _ => subscriber.ConsumerFor(messaging),
        };
        var ids = new string?[payloads.Count];
        var markers = new RedisKey[payloads.Count];
        var lookups = new Task<bool>[payloads.Count];
        for (var i = 0; i < payloads.Count; i++)
        {
            ids[i] = payloads[i].IsNull ? null : MessageReader.Read(((ReadOnlyMemory<byte>)payloads[i]).Span, messaging.MaxMessageBytes, messaging.ContentRequired).Message?.Id;
            markers[i] = ids[i] is { } id ? KeyNames.Handled(partition, scope, id) : default;
            lookups[i] = ids[i] is null ? Task.FromResult(false) : database.KeyExistsAsync(markers[i]);
        }

        return new DedupeBatch(source, KeyNames.Effects(partition), ids, markers, await Task.WhenAll(lookups), settings.Ttl);
    }
}
