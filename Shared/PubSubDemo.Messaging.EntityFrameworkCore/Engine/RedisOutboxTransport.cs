using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Messaging.Registration;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.EntityFrameworkCore.Engine;

/// <summary>
/// The relay's way to Redis: the engine's own sender, one per destination, with the destination's registered options
/// (its partitions; a name not registered is sent as one partition). The recorded bytes go out as they are, so every
/// resend carries the id and timestamp fixed when the row was saved; runs of rows for one destination go as one batch
/// (one round trip per partition), in the relay's order, and a batch returns only once the server has taken it all.
/// A server that is away is retried inside the sender; an error the server answers otherwise is a refusal
/// (<see cref="OutboxSendRefusedException"/>), which the relay isolates, retries and eventually parks.
/// </summary>
internal sealed class RedisOutboxTransport(IServiceProvider services, MessagingBuilder builder) : IOutboxTransport
{
    private readonly ConcurrentDictionary<(OutboxDestinationKind, string), MessageSender> _senders = new();

    public async Task SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var connection = services.GetRequiredService<RedisConnection>();
        var database = (await connection.GetAsync(cancellationToken)).GetDatabase();
        var start = 0;
        while (start < batch.Count)
        {
            var (kind, name) = (batch[start].DestinationKind, batch[start].DestinationName);
            var run = new List<OutgoingMessage>();
            for (; start < batch.Count && batch[start].DestinationKind == kind && batch[start].DestinationName == name; start++)
            {
                var row = batch[start];
                var envelope = new Message(row.MessageId, "", new DateTimeOffset(row.CreatedAt, TimeSpan.Zero));
                run.Add(new OutgoingMessage(envelope, _ => row.Payload, row.PartitionKey, trace: null, To(kind)));
            }

            try
            {
                await _senders.GetOrAdd((kind, name), Sender).SendNowAsync(database, run, connection.Server, cancellationToken);
            }
            catch (RedisServerException ex) when (!RedisErrors.IsTransient(ex))
            {
                // The sender retries a server that is away by itself; what comes out is the server saying no to this
                // destination or these bytes (WRONGTYPE, NOPERM, an unknown command), which a resend will not change.
                throw new OutboxSendRefusedException($"{kind} '{name}': {ex.Message}", ex);
            }
        }
    }

    private MessageSender Sender((OutboxDestinationKind Kind, string Name) destination)
    {
        var source = destination.Kind switch
        {
            OutboxDestinationKind.Queue => MessageSource.Queue,
            OutboxDestinationKind.Stream => MessageSource.Stream,
            _ => MessageSource.Channel,
        };
        var options = builder.Reliable(services, destination.Name) is { } registered && registered.Source == source
            ? registered.Options
            : source switch { MessageSource.Queue => new QueueOptions(), MessageSource.Stream => new StreamOptions(), _ => (DestinationOptions)new ChannelOptions() };
        return EngineParts.Sender(services, destination.Name, source, options);
    }

    private static Destinations To(OutboxDestinationKind kind) => kind switch
    {
        OutboxDestinationKind.Queue => Destinations.Queue,
        OutboxDestinationKind.Stream => Destinations.Stream,
        _ => Destinations.Channel,
    };
}
