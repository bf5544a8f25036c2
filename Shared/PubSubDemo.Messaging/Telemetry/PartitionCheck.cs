using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// Notices a publisher that writes more partitions than this subscriber reads (PARTITIONS differs): at start and on
/// every backlog poll it looks at the next partitions beyond its own (<see cref="Beyond"/>), and logs when some hold
/// messages that no consumer with our PARTITIONS will read: queue items waiting, or stream entries our group has not
/// read (or no group at all). Nothing is lost: the messages wait there until a subscriber with enough partitions
/// runs. Logged when the set of such partitions changes, not every second.
/// </summary>
internal sealed partial class PartitionCheck(MessagingOptions messaging, ILogger logger)
{
    private readonly string[] _queues = messaging.Uses(Pattern.Queue) ? Beyond(messaging, messaging.Queue) : [];
    private readonly string[] _streams = messaging.Uses(Pattern.Stream) ? Beyond(messaging, messaging.Stream) : [];
    private string _last = "";

    /// <summary>The partitions looked at: the next max(PARTITIONS, 16) beyond ours, at most up to the 1024th.</summary>
    public static string[] Beyond(MessagingOptions messaging, string name)
    {
        var count = messaging.PartitionCount;
        var end = Math.Min(Partitions.Max, count + Math.Max(count, 16));
        return [.. Enumerable.Range(count, end - count).Select(i => Partitions.Name(name, i))];
    }

    public async Task CheckAsync(IDatabase database)
    {
        var queues = _queues.Select(q => database.ListLengthAsync(q)).ToArray();
        var streams = _streams.Select(s => UnreadAsync(database, s)).ToArray();
        var found = new List<string>();
        for (var i = 0; i < queues.Length; i++)
        {
            if (await queues[i] is > 0 and var length)
            {
                found.Add($"{_queues[i]} ({length} items)");
            }
        }

        for (var i = 0; i < streams.Length; i++)
        {
            if (await streams[i] is { } unread)
            {
                found.Add($"{_streams[i]} ({unread})");
            }
        }

        var now = string.Join(", ", found);
        if (now == _last)
        {
            return;
        }

        _last = now;
        if (found.Count > 0)
        {
            LogBeyond(messaging.PartitionCount, now);
        }
        else
        {
            LogCaughtUp(messaging.PartitionCount);
        }
    }

    /// <summary>What our group has not read of a stream beyond our partitions, or null when it has read everything.</summary>
    private async Task<string?> UnreadAsync(IDatabase database, string stream)
    {
        try
        {
            var length = await database.StreamLengthAsync(stream);
            if (length == 0)
            {
                return null;
            }

            var group = (await database.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == messaging.Group);
            return group.Name is null ? $"{length} entries, no group '{messaging.Group}'"
                : group.Lag is > 0 ? $"{group.Lag} entries unread by group '{messaging.Group}'"
                : null;
        }
        catch (RedisServerException)
        {
            // Not a stream (another type under that name): not ours to judge.
            return null;
        }
    }

    [LoggerMessage(3501, LogLevel.Warning, "Partitions beyond our PARTITIONS={Partitions} hold messages that no consumer with PARTITIONS={Partitions} reads: {Found}. The publisher writes more partitions than this subscriber serves; start subscribers with PARTITIONS at least as large as the publisher's (nothing is lost meanwhile)")]
    private partial void LogBeyond(int partitions, string found);

    [LoggerMessage(3502, LogLevel.Information, "The partitions beyond PARTITIONS={Partitions} are empty again")]
    private partial void LogCaughtUp(int partitions);
}
