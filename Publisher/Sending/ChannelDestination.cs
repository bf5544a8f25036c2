using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>Pub/sub fan-out: PUBLISH to CHANNEL, as one script for the batch or one command per message.</summary>
internal sealed class ChannelDestination(string channel, ScriptFallback scripts, PublisherStats stats, bool logMessages, ILogger logger) : IDestination
{
    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private readonly RedisValue _channelName = channel;

    public async Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        if (BatchParts.Pending(batch, Destinations.Channel) is not { } pending)
        {
            return null;
        }

        var script = scripts.UseScript(pending.Count) ? database.ScriptEvaluateAsync(SendScripts.PublishMany, values: BatchParts.Arguments(pending, _channelName)) : null;
        var each = script is null ? PublishEach(database, pending) : null;
        try
        {
            var receivers = script is not null ? (long[])(await script)! : null;
            for (var i = 0; i < pending.Count; i++)
            {
                OnPublished(pending[i], receivers?[i] ?? await each![i]);
            }

            return null;
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            return ex;
        }
        catch (RedisServerException ex) when (script is not null)
        {
            return scripts.Refused(ex);
        }
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
