using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// The list queue (competing consumers): one RPUSH per partition the batch touches (one with a single partition),
/// each with that partition's doorbell rung right behind it, all on the wire before any reply is awaited.
/// </summary>
internal sealed class QueueDestination(MessagingOptions messaging, SendObservers observers, bool logMessages, ILogger logger) : IDestination
{
    private readonly IReadOnlyList<string> _names = messaging.QueuePartitions;
    private readonly RedisChannel[] _doorbells = [.. messaging.QueuePartitions.Select(q => PubSubChannels.Doorbell(messaging, q))];

    public Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        if (BatchParts.Pending(batch, Destinations.Queue) is not { } pending)
        {
            return BatchParts.AllTaken;
        }

        var sends = new List<Task<Exception?>>(1);
        foreach (var (partition, messages) in BatchParts.ByPartition(pending))
        {
            sends.Add(PushAsync(database, partition, messages));
        }

        return sends.Count == 1 ? sends[0] : BatchParts.FirstFailureAsync(sends);
    }

    private async Task<Exception?> PushAsync(IDatabase database, int partition, List<OutgoingMessage> messages)
    {
        var push = database.ListRightPushAsync(_names[partition], BatchParts.Arguments(messages));

        // Rung right behind the push on the same connection, so the server runs the push first and an idle
        // consumer wakes one round trip sooner than if we waited for the push's reply. A ring for a push that
        // then fails only makes a consumer look at an empty queue.
        database.Publish(_doorbells[partition], RedisValue.EmptyString, CommandFlags.FireAndForget);
        try
        {
            var length = await push;
            BatchParts.MarkTaken(messages, Destinations.Queue);
            observers.Taken(messaging.Queue, partition, messages.Count, length: length);
            if (logMessages)
            {
                for (var i = 0; i < messages.Count; i++)
                {
                    SendLog.Pushed(logger, _names[partition], length - messages.Count + i + 1, messages[i].Message.Content, messages[i].Message.Id);
                }
            }

            return null;
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            return ex;
        }
    }
}
