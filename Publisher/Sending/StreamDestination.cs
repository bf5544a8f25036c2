using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// The stream (consumer groups): XADD as one script for the batch or one command per message, with the stream's
/// doorbell rung right behind and, with STREAM_MAXLEN, the trim that keeps unread entries (<see cref="StreamRetention"/>).
/// </summary>
internal sealed class StreamDestination(MessagingSettings messaging, StreamRetention? retention, ScriptFallback scripts, bool logMessages, ILogger logger) : IDestination
{
    private readonly string stream = messaging.Stream;
    private readonly RedisKey _stream = messaging.Stream;
    private readonly RedisChannel _doorbell = PubSubChannels.Doorbell(messaging, messaging.Stream);

    public Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        if (BatchParts.Pending(batch, Destinations.Stream) is not { } pending)
        {
            return BatchParts.AllTaken;
        }

        var script = scripts.UseScript(pending.Count) ? database.ScriptEvaluateAsync(SendScripts.AddMany, [_stream], BatchParts.Arguments(pending, KeyNames.StreamField)) : null;
        var each = script is null ? AddEach(database, pending) : null;
        database.Publish(_doorbell, RedisValue.EmptyString, CommandFlags.FireAndForget);
        if (retention is not null)
        {
            if (scripts.Available)
            {
                retention.Trim(database);
            }
            else
            {
                retention.Unavailable();
            }
        }
        return scripts.RepliesAsync(script, static reply => (RedisValue[])reply!, each, (i, id) => OnAdded(pending[i], id));
    }

    private void OnAdded(OutgoingMessage message, RedisValue id)
    {
        message.MarkTakenBy(Destinations.Stream);
        if (logMessages)
        {
            SendLog.Added(logger, stream, id.ToString(), message.Message.Content, message.Message.Id);
        }
    }

    private Task<RedisValue>[] AddEach(IDatabase database, List<OutgoingMessage> pending)
    {
        var each = new Task<RedisValue>[pending.Count];
        for (var i = 0; i < each.Length; i++)
        {
            each[i] = database.StreamAddAsync(_stream, [new(KeyNames.StreamField, pending[i].Payload)]);
        }

        return each;
    }
}
