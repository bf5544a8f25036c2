using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// STREAM_MAXLEN reads the groups from the client and trims in a script (XINFO inside a script can stall DragonFly), so
/// a group can change between the read and the trim. Moving forward only makes the bound read earlier older, which is
/// safe; a group set back with XGROUP SETID and read again in between has pending entries older than the bound, and
/// the script's own check of each group's oldest pending entry keeps them.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StreamRetentionRaceTests(RedisServerFixture server, ITestOutputHelper output)
{
    private const int Entries = 300;
    private const int MaxLength = 100;
    private const string Group = "g";

    [Fact]
    public async Task A_group_set_back_and_read_between_the_groups_read_and_the_trim_keeps_its_pending_entries()
    {
        var (database, stream, ids) = await StreamWithGroupAsync("retention-race");

        // The group has read and acknowledged everything: the read finds it needs only the last entry.
        var read = await database.StreamReadGroupAsync(stream, Group, "c", ">", Entries);
        await database.StreamAcknowledgeAsync(stream, Group, [.. read.Select(e => e.Id)]);
        var (oldest, groups) = await StreamRetention.OldestNeededAsync(database, stream);
        Assert.Equal(ids[^1].ToString(), oldest);

        // Before the trim runs, an operator sets the group back and a consumer reads the first ten again.
        await database.ExecuteAsync("XGROUP", "SETID", stream, Group, "0");
        Assert.Equal(10, (await database.StreamReadGroupAsync(stream, Group, "c", ">", 10)).Length);

        var result = (long[])(await database.ScriptEvaluateAsync(StreamRetention.TrimBelow, [stream], [MaxLength, oldest, .. groups]))!;
        var first = (await database.StreamRangeAsync(stream, "-", "+", 1))[0].Id;
        output.WriteLine($"trim with the stale bound {oldest} and the group re-checked: length {result[0]}, removed {result[1]}, held {result[2]}; first entry {first}");
        Assert.Equal(ids[0], first);
        Assert.Equal([Entries, 0, 1], result);

        // The same stale bound without the re-check (no group named) would have trimmed the pending entries away.
        var trusted = (long[])(await database.ScriptEvaluateAsync(StreamRetention.TrimBelow, [stream], [MaxLength, oldest]))!;
        output.WriteLine($"the same bound trusted as read: length {trusted[0]}, removed {trusted[1]}");
        Assert.Equal(MaxLength, trusted[0]);
        var pending = await database.StreamPendingMessagesAsync(stream, Group, 10, RedisValue.Null);
        Assert.Equal(10, pending.Length);
        Assert.Empty(await database.StreamRangeAsync(stream, pending[0].MessageId, pending[0].MessageId));
    }

    [Fact]
    public async Task An_entry_waiting_for_its_retry_holds_the_trim_back()
    {
        var (database, stream, ids) = await StreamWithGroupAsync("retention-retry");

        // Everything read; all acknowledged but entry 50, which failed and stays pending while it waits in the due set.
        var read = await database.StreamReadGroupAsync(stream, Group, "c", ">", Entries);
        await database.StreamAcknowledgeAsync(stream, Group, [.. read.Select(e => e.Id).Where(id => id != ids[50])]);

        var result = await StreamRetention.TrimAsync(database, stream, MaxLength);
        output.WriteLine($"length {result[0]}, removed {result[1]}, held {result[2]}");
        Assert.Equal([Entries - 50L, 50, 1], result);
        Assert.Equal(ids[50], (await database.StreamRangeAsync(stream, "-", "+", 1))[0].Id);
    }

    /// <summary>A stream of its own with <see cref="Entries"/> entries and the group at its start.</summary>
    private async Task<(IDatabase Database, string Stream, List<RedisValue> Ids)> StreamWithGroupAsync(string name)
    {
        output.WriteLine($"Server: {server.Description}");
        var database = server.Database;
        var stream = TestNames.Unique(name);
        await database.StreamCreateConsumerGroupAsync(stream, Group, "0", createStream: true);
        var ids = new List<RedisValue>();
        for (var i = 0; i < Entries; i++)
        {
            ids.Add(await database.StreamAddAsync(stream, "data", $"entry {i}"));
        }

        return (database, stream, ids);
    }
}
