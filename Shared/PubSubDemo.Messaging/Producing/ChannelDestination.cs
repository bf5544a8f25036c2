using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// Pub/sub fan-out: PUBLISH (or SPUBLISH, PUBSUB_MODE=sharded) to CHANNEL, as one script for the batch or one command per
/// message; always one command per message when <paramref name="publishInScripts"/> is false (DragonFly).
/// </summary>
internal sealed class ChannelDestination(MessagingOptions messaging, ScriptFallback scripts, SendObservers observers, bool logMessages, ILogger logger, bool publishInScripts = true) : IDestination
{
    private readonly string channel = messaging.Channel;
    private readonly RedisChannel _channel = PubSubChannels.For(messaging, messaging.Channel);
    private readonly RedisKey[] _channelKey = [messaging.Channel];
    private readonly RedisValue _command = messaging.PubSubMode == PubSubMode.Sharded ? "SPUBLISH" : "PUBLISH";

    public Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        if (BatchParts.Pending(batch, Destinations.Channel) is not { } pending)
        {
            return BatchParts.AllTaken;
        }

        var script = publishInScripts && scripts.UseScript(pending.Count) ? database.ScriptEvaluateAsync(SendScripts.PublishMany, _channelKey, BatchParts.Arguments(pending, _command)) : null;
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
        observers.Taken(channel, 0, 1, receivers: receivers);
        if (logMessages)
        {
            SendLog.Published(logger, channel, receivers, message.Message.Content, message.Message.Id);
        }
    }
}
