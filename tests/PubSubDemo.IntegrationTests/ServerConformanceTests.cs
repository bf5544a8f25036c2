using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Retries;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// The differences between servers that this project handles, each checked against whatever server the suite is given
/// (PUBSUBDEMO_TEST_REDIS): what Redis and Valkey do, what DragonFly v1.40.1 was read to do instead (issue 20), and
/// that our code holds on both. On redis-server and valkey-server these pass by the Redis side; the day a DragonFly is
/// at hand (<c>PUBSUBDEMO_TEST_REDIS=dragonfly:6379 scripts/test.sh</c>), a failure here says which finding does not
/// hold as read. Keys and channels are unique per test.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed partial class ServerConformanceTests(RedisServerFixture server, ITestOutputHelper output)
{
    /// <summary>Finding 3: XCLAIM on a vanished group answers NOGROUP on Redis, an empty array on DragonFly.</summary>
    [Fact]
    public async Task XCLAIM_on_a_vanished_group_answers_NOGROUP_or_on_DragonFly_nothing()
    {
        var stream = await StreamWithEntryAsync();
        try
        {
            var reply = await server.Database.ExecuteAsync("XCLAIM", stream, "no-such-group", "c", 0, "1-1");
            output.WriteLine($"{await KindAsync()}: XCLAIM answered an array of {((RedisResult[])reply!).Length}");
            Assert.True(await IsDragonFlyAsync(), "only DragonFly was read to answer XCLAIM on a missing group without an error");
            Assert.Empty((RedisResult[])reply!);
        }
        catch (RedisServerException ex)
        {
            output.WriteLine($"{await KindAsync()}: XCLAIM refused: {ex.Message}");
            Assert.False(await IsDragonFlyAsync(), "DragonFly was read to answer XCLAIM on a missing group with an empty array");
            Assert.StartsWith("NOGROUP", ex.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Finding 3, handled: the due claim script refuses a vanished group with NOGROUP on every server and keeps the due ids.</summary>
    [Fact]
    public async Task The_due_claim_on_a_vanished_group_is_a_NOGROUP_error_and_keeps_every_due_id()
    {
        var stream = await StreamWithEntryAsync();
        var due = KeyNames.Due(stream, "gone");
        await server.Database.SortedSetAddAsync(due, [new("1-1", 1), new("1-2", 2)]);

        var refused = await Assert.ThrowsAsync<RedisServerException>(() => server.Database.ScriptEvaluateAsync(
            DueScripts.ClaimStream, [due, stream], [long.MaxValue, 10, "gone", "c"]));
        output.WriteLine($"{await KindAsync()}: {refused.Message}");
        Assert.StartsWith("NOGROUP", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, await server.Database.SortedSetLengthAsync(due));
    }

    /// <summary>Finding 2, handled: retention's script asks XPENDING (not XINFO) for a group's oldest pending id, as text.</summary>
    [Fact]
    public async Task XPENDING_inside_a_script_names_the_oldest_pending_id_and_refuses_a_missing_group()
    {
        var stream = await StreamWithEntryAsync();
        await server.Database.StreamCreateConsumerGroupAsync(stream, "g", "0");
        var read = await server.Database.StreamReadGroupAsync(stream, "g", "c", ">", 1);
        const string script = """
            local ok, summary = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1])
            if not ok then return 'refused' end
            return {type(summary[2]), summary[2]}
            """;

        var reply = (RedisResult[])(await server.Database.ScriptEvaluateAsync(script, [(RedisKey)stream], ["g"]))!;
        Assert.Equal(["string", read[0].Id.ToString()], reply.Select(r => r.ToString()));
        Assert.Equal("refused", (await server.Database.ScriptEvaluateAsync(script, [(RedisKey)stream], ["missing"])).ToString());
    }

    /// <summary>Finding 7: a ZRANGE WITHSCORES score reaches Lua as text on Redis, as a number on DragonFly; our reader takes both.</summary>
    [Fact]
    public async Task A_score_reaches_Lua_as_text_or_on_DragonFly_as_a_number_and_the_due_time_reads_the_same()
    {
        var key = TestNames.Unique("conformance:zset");
        await server.Database.SortedSetAddAsync(key, "m", 1772366400123);
        var reply = (RedisResult[])(await server.Database.ScriptEvaluateAsync(
            "local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES') return {type(r[2]), r[2]}", [(RedisKey)key]))!;
        output.WriteLine($"{await KindAsync()}: the score is a Lua {reply[0]}");
        Assert.Equal(await IsDragonFlyAsync() ? "number" : "string", reply[0].ToString());
        Assert.Equal(1772366400123L, ScriptReplies.Score(reply[1]));
    }

    /// <summary>Finding 7: a null array reaches Lua as false on Redis, as an empty table on DragonFly; the queue's take returns {} for both.</summary>
    [Fact]
    public async Task An_empty_LPOP_reaches_Lua_as_false_or_on_DragonFly_an_empty_table_and_the_take_returns_nothing()
    {
        var queue = TestNames.Unique("conformance:queue");
        var type = (await server.Database.ScriptEvaluateAsync("return type(redis.call('LPOP', KEYS[1], 5))", [(RedisKey)queue])).ToString();
        output.WriteLine($"{await KindAsync()}: an empty LPOP is a Lua {type}");
        Assert.Equal(await IsDragonFlyAsync() ? "table" : "boolean", type);

        var taken = await server.Database.ScriptEvaluateAsync(QueueScripts.Take, [queue, queue + ":processing"], [5]);
        Assert.Empty(ScriptReplies.Values(taken));
    }

    /// <summary>Finding 7: a pcall error keeps its leading '-' on DragonFly; DEDUPE's reason reads the same on both.</summary>
    [Fact]
    public async Task A_pcall_error_reads_without_a_leading_dash_whatever_the_server_keeps()
    {
        var key = TestNames.Unique("conformance:list");
        await server.Database.ListRightPushAsync(key, "x");
        var error = await server.Database.ScriptEvaluateAsync("local r = redis.pcall('INCR', KEYS[1]) return r.err", [(RedisKey)key]);
        output.WriteLine($"{await KindAsync()}: pcall's error is '{error}'");
        Assert.Equal(await IsDragonFlyAsync(), error.ToString()!.StartsWith('-'));
        Assert.StartsWith("WRONGTYPE", ScriptReplies.ErrorText(error), StringComparison.Ordinal);
    }

    private async Task<string> StreamWithEntryAsync()
    {
        var stream = TestNames.Unique("conformance:stream");
        await server.Database.StreamAddAsync(stream, "f", "v", "1-1");
        return stream;
    }

    private async Task<string> KindAsync() => await IsDragonFlyAsync() ? "DragonFly" : server.Description;

    /// <summary>DragonFly names itself in INFO with dragonfly_version (it also reports a redis_version for clients).</summary>
    private async Task<bool> IsDragonFlyAsync() =>
        (await server.Database.ExecuteAsync("INFO", "server")).ToString()!.Contains("dragonfly_version:", StringComparison.Ordinal);
}
