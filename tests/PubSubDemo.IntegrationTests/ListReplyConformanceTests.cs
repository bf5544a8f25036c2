using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// Reply shapes the scripts rely on, checked on whatever server the suite runs against (Redis, Valkey, Garnet with
/// PUBSUBDEMO_TEST_SERVER, or any server given in PUBSUBDEMO_TEST_REDIS), so a server that differs is named by a test.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ListReplyConformanceTests(RedisServerFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// The queue's take (QueueScripts.Take, DueScripts.TakeQueue) asks LPOP for a batch with a count and pushes what came
    /// back onto its processing list with <c>unpack</c>. Redis and Valkey answer a table whatever the count popped. Garnet
    /// 2.2.12 answers a bare string when exactly one item is popped (<c>type(x) == 'string'</c>), so <c>unpack</c> yields
    /// nothing and the RPUSH is refused with "ERR Protocol Error: Invalid string length '-1'": its queue subscriber fails
    /// whenever a take finds one item, which under a trickle is most takes.
    /// </summary>
    [Fact]
    public async Task Inside_a_script_LPOP_with_a_count_that_pops_one_item_returns_a_table_of_one()
    {
        output.WriteLine($"Server: {fixture.Description}");
        var queue = $"{{{TestNames.Unique("conformance-queue")}}}";
        await fixture.Database.ListRightPushAsync(queue, "a");

        var reply = await fixture.Database.ScriptEvaluateAsync(
            """
            local items = redis.call('LPOP', KEYS[1], ARGV[1])
            if not items then return {} end
            redis.call('RPUSH', KEYS[2], unpack(items))
            return items
            """,
            [queue, $"{queue}:processing"],
            [200]);

        Assert.Equal(["a"], ((RedisValue[])reply!).Select(v => v.ToString()));
        Assert.Equal(["a"], (await fixture.Database.ListRangeAsync($"{queue}:processing")).Select(v => v.ToString()));
    }

    /// <summary>The take on an empty queue: LPOP with a count answers nil (false in Lua), which the scripts turn into an empty batch.</summary>
    [Fact]
    public async Task Inside_a_script_LPOP_with_a_count_on_a_missing_list_is_false()
    {
        output.WriteLine($"Server: {fixture.Description}");
        var reply = await fixture.Database.ScriptEvaluateAsync("return redis.call('LPOP', KEYS[1], ARGV[1]) == false and 1 or 0", [TestNames.Unique("conformance-missing")], [200]);

        Assert.Equal(1, (int)reply);
    }
}
