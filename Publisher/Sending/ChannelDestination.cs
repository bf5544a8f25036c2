using Microsoft.Extensions.Logging;
using PubSubDemo.Publisher.Cluster;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>Pub/sub fan-out: PUBLISH (or SPUBLISH, PUBSUB_MODE=sharded) to CHANNEL, as one script for the batch or one command per message.</summary>
internal sealed class ChannelDestination(MessagingSettings messaging, ScriptFallback scripts, PublisherStats stats, bool logMessages, ILogger logger) : IDestination
{
    private readonly string channel = messaging.Channel;
    private readonly RedisChannel _channel = PubSubChannels.For(messaging, messaging.Channel);
    private readonly RedisValue _channelName = messaging.Channel;

    public Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        if (BatchParts.Pending(batch, Destinations.Channel) is not { } pending)
        {
            return BatchParts.AllTaken;
        }

        var script = scripts.UseScript(pending.Count) ? BatchPublish.EvaluateAsync(database, messaging, BatchParts.Arguments(pending, _channelName)) : null;
        var each = script is null ? PublishEach(database, pending) : null;
        return scripts.RepliesAsync(script, static reply => (long[])reply!, each, (i, receivers) => OnPublished(pending[i], receivers));
    }

    private Task<long>[] PublishEach(IDatabase database, List<OutgoingMessage> pending)
    {
        var each = new Task<long>[pending.Count];
        for (var i = 0; i < each.Length; i++)
        {
            each[i] = database.PublishAsync(_channel, pending[i].Payload);
        }

        return each;
    }

    private void OnPublished(OutgoingMessage message, long receivers)
    {
        message.MarkTakenBy(Destinations.Channel);
        stats.LastReceivers = receivers;
        if (logMessages)
        {
            SendLog.Published(logger, channel, receivers, message.Message.Content, message.Message.Id);
        }
    }
}
