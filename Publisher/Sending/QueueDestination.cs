using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>The list queue (competing consumers): one RPUSH for the batch, with the queue's doorbell rung right behind it.</summary>
internal sealed class QueueDestination(MessagingSettings messaging, PublisherStats stats, bool logMessages, ILogger logger) : IDestination
{
    private readonly string queue = messaging.Queue;
    private readonly RedisKey _queue = messaging.Queue;
    private readonly RedisChannel _doorbell = PubSubChannels.Doorbell(messaging, messaging.Queue);

    public async Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        if (BatchParts.Pending(batch, Destinations.Queue) is not { } pending)
        {
            return null;
        }

        var push = database.ListRightPushAsync(_queue, BatchParts.Arguments(pending));

        // Rung right behind the push on the same connection, so the server runs the push first and an idle
        // consumer wakes one round trip sooner than if we waited for the push's reply. A ring for a push that
        // then fails only makes a consumer look at an empty queue.
        database.Publish(_doorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
        try
        {
            var length = await push;
            BatchParts.MarkTaken(pending, Destinations.Queue);
            stats.LastQueueLength = length;
            if (logMessages)
            {
                for (var i = 0; i < pending.Count; i++)
                {
                    SendLog.Pushed(logger, queue, length - pending.Count + i + 1, pending[i].Message.Content, pending[i].Message.Id);
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
