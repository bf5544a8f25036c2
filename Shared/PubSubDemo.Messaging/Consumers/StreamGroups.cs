using System.Globalization;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// The stream consumer's groups, one per partition: created at STREAM_START the first time, and, when the server lost
/// one (restarted without persistence, or someone ran XGROUP DESTROY), recreated where the lost one left off rather
/// than at STREAM_START, which would skip without a word what was pending, waiting in the due set or added while the
/// group was missing. Where it left off is as far as this consumer knows: the lowest of the highest id it was handed,
/// the lowest id of a batch it had not settled, and the lowest id waiting in the due set (the server's, shared by every
/// consumer of the group); when it was handed nothing yet, the whole stream. At-least-once delivery, and DEDUPE where
/// it is on, absorb what is read again; the due set's ids are delivered again by the group's reads (the claim script
/// lets go of those the new group does not have pending).
/// </summary>
internal sealed partial class StreamGroups(ConsumerServices services, ILogger logger)
{
    /// <summary>How many entries the recreation counts exactly before it gives the stream's length instead.</summary>
    private const int CountLimit = 1000;

    private readonly RedisKey[] _streams = [.. services.Messaging.StreamPartitions.Select(s => (RedisKey)s)];
    private readonly RedisKey[] _due = [.. services.Messaging.StreamPartitions.Select(s => (RedisKey)KeyNames.Due(s, services.Messaging.Group))];
    private readonly bool[] _ready = new bool[services.Messaging.PartitionCount];
    private readonly bool[] _lost = new bool[services.Messaging.PartitionCount];
    private readonly string?[] _handed = new string?[services.Messaging.PartitionCount];
    private readonly string?[] _inHand = new string?[services.Messaging.PartitionCount];

    private string Group => services.Messaging.Group;

    /// <summary>Whether the partition's group is known to exist (created, or found) since the last loss.</summary>
    public bool Ready(int partition) => _ready[partition];

    /// <summary>Before a batch is handled: it was handed to this consumer, and is in hand until <see cref="Settled"/>.</summary>
    public void Handling(int partition, StreamEntry[] entries)
    {
        // One pass: a claimed batch comes in due order, not id order.
        string? lowest = null, highest = null;
        foreach (var entry in entries)
        {
            var id = entry.Id.ToString();
            if (lowest is null || StreamIds.Compare(id, lowest) < 0)
            {
                lowest = id;
            }

            if (highest is null || StreamIds.Compare(id, highest) > 0)
            {
                highest = id;
            }
        }

        if (lowest is null || !StreamIds.TryParse(lowest, out _))
        {
            return;
        }

        _handed[partition] = StreamIds.Compare(highest, _handed[partition]) > 0 ? highest : _handed[partition];
        _inHand[partition] = StreamIds.Min([lowest, _inHand[partition]]);
    }

    /// <summary>The batch was settled (acknowledged, scheduled or dead-lettered).</summary>
    public void Settled(int partition) => _inHand[partition] = null;

    /// <summary>The server answered NOGROUP: every group that existed is lost; the next recovery recreates them.</summary>
    public void Missing()
    {
        for (var partition = 0; partition < _ready.Length; partition++)
        {
            _lost[partition] |= _ready[partition];
            _ready[partition] = false;
        }

        LogGroupMissing(Group);
    }

    /// <summary>Creates the partition's group when it does not exist: at STREAM_START the first time, else where the lost one left off.</summary>
    public async Task EnsureAsync(IDatabase database, int partition)
    {
        var stream = _streams[partition];
        var start = _lost[partition] ? await LeftOffAsync(database, partition) : services.Settings.StreamStart;
        try
        {
            await database.StreamCreateConsumerGroupAsync(stream, Group, start, createStream: true);
            if (_lost[partition])
            {
                LogGroupRecreated(Group, stream.ToString(), start, await CountAfterAsync(database, stream, start));
            }
            else
            {
                LogGroupCreated(Group, stream.ToString(), start);
            }
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists (another consumer recreated it first): it keeps its own position, whatever we computed.
        }

        _lost[partition] = false;
        _ready[partition] = true;
    }

    /// <summary>Where the lost group left off, as far as this consumer knows (see the class); "0" when it knows nothing.</summary>
    private async Task<string> LeftOffAsync(IDatabase database, int partition)
    {
        if (_handed[partition] is not { } handed || await database.StreamLengthAsync(_streams[partition]) == 0)
        {
            return "0";
        }

        var due = await database.SortedSetRangeByRankAsync(_due[partition]);
        var lowest = StreamIds.Min(due.Select(d => (string?)d.ToString()).Append(_inHand[partition]));
        return lowest is not null && StreamIds.Compare(StreamIds.Before(lowest), handed) < 0 ? StreamIds.Before(lowest) : handed;
    }

    /// <summary>How many entries lie after <paramref name="start"/>: counted up to <see cref="CountLimit"/>, else the stream's length as a bound.</summary>
    private static async Task<string> CountAfterAsync(IDatabase database, RedisKey stream, string start)
    {
        var entries = await database.StreamRangeAsync(stream, start, "+", CountLimit + 1);
        var count = entries.Length - (entries.Length > 0 && entries[0].Id == start ? 1 : 0);
        return count <= CountLimit
            ? count.ToString(CultureInfo.InvariantCulture)
            : $"more than {CountLimit} (at most {await database.StreamLengthAsync(stream)})";
    }

    [LoggerMessage(3302, LogLevel.Information, "Created consumer group '{Group}' on '{Stream}' starting at {Start}")]
    private partial void LogGroupCreated(string group, string stream, string start);

    [LoggerMessage(3303, LogLevel.Warning, "Consumer group '{Group}' is missing on the server; recreating it")]
    private partial void LogGroupMissing(string group);

    [LoggerMessage(3308, LogLevel.Warning, "Recreated consumer group '{Group}' on '{Stream}' at {Start}, where the lost one left off as far as this consumer knows: {Count} entries after it will be read again")]
    private partial void LogGroupRecreated(string group, string stream, string start, string count);
}
