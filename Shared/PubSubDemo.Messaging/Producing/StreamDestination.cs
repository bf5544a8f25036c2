using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// The stream (consumer groups): for each partition the batch touches, XADD as one script or one command per message,
/// with that partition's doorbell rung right behind and, with STREAM_MAXLEN, the trim that keeps unread entries
/// (<see cref="StreamRetention"/>, one per partition).
/// </summary>
internal sealed class StreamDestination(MessagingOptions messaging, StreamRetention[]? retention, ScriptFallback scripts, SendObservers observers, bool logMessages, ILogger logger) : IDestination
{
    private readonly IReadOnlyList<string> _names = messaging.StreamPartitions;
    private readonly RedisChannel[] _doorbells = [.. messaging.StreamPartitions.Select(s => PubSubChannels.Doorbell(messaging, s))];

    public Task<Exception?> SendAsync(IDatabase database, List<OutgoingMessage> batch)
    {
        if (BatchParts.Pending(batch, Destinations.Stream) is not { } pending)
        {
            return BatchParts.AllTaken;
        }

        var sends = new List<Task<Exception?>>(1);
        foreach (var (partition, messages) in BatchParts.ByPartition(pending))
        {
            sends.Add(AddAsync(database, partition, messages));
        }

        return sends.Count == 1 ? sends[0] : BatchParts.FirstFailureAsync(sends);
    }

    private Task<Exception?> AddAsync(IDatabase database, int partition, List<OutgoingMessage> pending)
    {
        RedisKey stream = _names[partition];
        var script = scripts.UseScript(pending.Count) ? database.ScriptEvaluateAsync(SendScripts.AddMany, [stream], BatchParts.Arguments(pending, KeyNames.StreamField)) : null;
        var each = script is null ? AddEach(database, stream, pending) : null;
        database.Publish(_doorbells[partition], RedisValue.EmptyString, CommandFlags.FireAndForget);
        if (retention is not null)
        {
            if (scripts.Available)
            {
                retention[partition].Trim(database);
            }
            else
            {
                retention[partition].Unavailable();
            }
        }

        return scripts.RepliesAsync(script, static reply => (RedisValue[])reply!, each, (i, id) => OnAdded(partition, pending[i], id));
    }

    private void OnAdded(int partition, OutgoingMessage message, RedisValue id)
    {
        message.MarkTakenBy(Destinations.Stream);
        observers.Taken(messaging.Stream, partition, 1);
        if (logMessages)
        {
            SendLog.Added(logger, _names[partition], id.ToString(), message.Message.Content, message.Message.Id);
        }
    }

    private static Task<RedisValue>[] AddEach(IDatabase database, RedisKey stream, List<OutgoingMessage> pending)
    {
        var each = new Task<RedisValue>[pending.Count];
        for (var i = 0; i < each.Length; i++)
        {
            each[i] = database.StreamAddAsync(stream, [new(KeyNames.StreamField, pending[i].Payload)]);
        }

        return each;
    }
}
