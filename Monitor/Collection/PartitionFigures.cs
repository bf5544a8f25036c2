using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Monitor.Collection;

/// <summary>
/// The backlog of every partition of QUEUE and STREAM (PARTITIONS), each read from the node that owns it, and their
/// sums for the page's tiles. A figure the server cannot give is unknown (null), and makes its sum unknown too.
/// </summary>
internal static class PartitionFigures
{
    public static async Task<(Backlog Backlog, IReadOnlyList<PartitionBacklog> Partitions)> ReadAsync(IConnectionMultiplexer multiplexer, MessagingSettings messaging)
    {
        var database = multiplexer.GetDatabase();
        var queues = messaging.QueuePartitions.Select(q => QueueAsync(multiplexer, database, q)).ToArray();
        var streams = messaging.StreamPartitions.Select(s => StreamAsync(database, s, messaging.Group)).ToArray();
        var partitions = new List<PartitionBacklog>(queues.Length + streams.Length);
        partitions.AddRange(await Task.WhenAll(queues));
        partitions.AddRange(await Task.WhenAll(streams));
        var queue = partitions.Take(queues.Length).ToList();
        var stream = partitions.Skip(queues.Length).ToList();
        var backlog = new Backlog(
            messaging.Queue,
            Sum(queue, p => p.Length),
            Sum(queue, p => p.Processing),
            queue.Max(p => p.Consumers),
            Sum(queue, p => p.DeadLetters),
            messaging.Stream,
            messaging.Group,
            Sum(stream, p => p.Length),
            Sum(stream, p => p.Lag),
            Sum(stream, p => p.Pending),
            Sum(stream, p => p.DeadLetters))
        {
            QueueDue = Sum(queue, p => p.Due),
            StreamDue = Sum(stream, p => p.Due),
        };
        return (backlog, partitions);
    }

    /// <summary>One queue partition: its length, the sum of its processing lists (found by SCAN on every primary), its consumers and dead letters.</summary>
    private static async Task<PartitionBacklog> QueueAsync(IConnectionMultiplexer multiplexer, IDatabase database, string queue)
    {
        var length = TryAsync(database.ListLengthAsync(queue));
        var dead = TryAsync(database.ListLengthAsync(KeyNames.DeadLetters(queue)));
        var consumers = TryAsync(database.SetLengthAsync(KeyNames.Consumers(queue)));
        var due = TryAsync(database.SortedSetLengthAsync(KeyNames.Due(queue)));
        var processingKeys = await ClusterKeys.ScanAsync(multiplexer, KeyNames.Processing(queue, "*"));
        var processing = await Task.WhenAll(processingKeys.Select(k => TryAsync(database.ListLengthAsync(k))));
        return new PartitionBacklog("queue", queue, await length, processing.Sum(l => l ?? 0), await consumers, await dead, null, null) { Due = await due };
    }

    private static async Task<PartitionBacklog> StreamAsync(IDatabase database, string stream, string groupName)
    {
        var length = TryAsync(database.StreamLengthAsync(stream));
        var dead = TryAsync(database.ListLengthAsync(KeyNames.DeadLetters(stream)));
        var due = TryAsync(database.SortedSetLengthAsync(KeyNames.Due(stream, groupName)));
        StreamGroupInfo? group = null;
        try
        {
            group = (await database.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == groupName);
        }
        catch (RedisServerException)
        {
            // No stream yet: no group figures.
        }

        return new PartitionBacklog("stream", stream, await length, null, null, await dead, group?.Lag, group?.PendingMessageCount) { Due = await due };
    }

    private static long? Sum(List<PartitionBacklog> partitions, Func<PartitionBacklog, long?> figure) =>
        partitions.Count == 0 || partitions.Any(p => figure(p) is null) ? null : partitions.Sum(p => figure(p)!.Value);

    /// <summary>A figure the server cannot give (no such key yet, another type under that name) is unknown, not an error.</summary>
    private static async Task<long?> TryAsync(Task<long> command)
    {
        try
        {
            return await command;
        }
        catch (RedisServerException)
        {
            return null;
        }
    }
}
