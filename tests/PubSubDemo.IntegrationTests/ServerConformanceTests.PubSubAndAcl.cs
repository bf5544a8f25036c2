using System.Collections.Concurrent;
using PubSubDemo.Shared.Security;
using PubSubDemo.Messaging.Security;
using StackExchange.Redis;

namespace PubSubDemo.IntegrationTests;

/// <summary>The pub/sub, ACL and slot findings, checked on the suite's server (see the other part of this class).</summary>
public sealed partial class ServerConformanceTests
{
    /// <summary>
    /// Finding 4: classic and sharded pub/sub are separate on Redis and Valkey and share one namespace on DragonFly
    /// (SPUBLISH reaches SUBSCRIBE clients); the same mode on both sides delivers everywhere. Hence one PUBSUB_MODE per
    /// deployment. A classic marker published after the sharded message bounds the wait for what must not arrive.
    /// </summary>
    [Fact]
    public async Task SPUBLISH_reaches_a_SUBSCRIBE_client_only_on_DragonFly()
    {
        var name = TestNames.Unique("conformance:channel");
        var received = new ConcurrentQueue<string>();
        var subscriber = server.Client.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal(name), (_, message) => received.Enqueue(message!));
        try
        {
            await server.Database.ExecuteAsync("SPUBLISH", name, "sharded");
            await server.Database.PublishAsync(RedisChannel.Literal(name), "marker");
            var dragonFly = await IsDragonFlyAsync();
            await Wait.UntilAsync(() => received.Contains("marker") && (!dragonFly || received.Contains("sharded")), "the classic marker (and on DragonFly the sharded message) arrives");
            output.WriteLine($"{await KindAsync()}: the SUBSCRIBE client received {string.Join(", ", received)}");
            Assert.Equal(dragonFly, received.Contains("sharded"));
        }
        finally
        {
            await subscriber.UnsubscribeAsync(RedisChannel.Literal(name));
        }
    }

    /// <summary>
    /// Finding 1: Redis and Valkey take <c>+command|subcommand</c> rules; DragonFly refuses the whole line. The rules
    /// <c>acl --server dragonfly</c> writes (whole commands) are taken everywhere.
    /// </summary>
    [Fact]
    public async Task Subcommand_ACL_rules_are_refused_only_by_DragonFly_and_the_DragonFly_dialect_is_taken_everywhere()
    {
        var user = TestNames.Unique("conformance-user").Replace(':', '-');
        var rules = new AccessRules().Allow("hello", "client|id", "client|setname", "xgroup|create", "xreadgroup").Key(user).Channel(user);
        try
        {
            var dragonFly = await IsDragonFlyAsync();
            Exception? refusal = null;
            try
            {
                await ApplyAsync(rules.ToSetUser(user, "secret"));
            }
            catch (RedisServerException ex)
            {
                refusal = ex;
            }

            output.WriteLine($"{await KindAsync()}: subcommand rules {(refusal is null ? "taken" : $"refused: {refusal.Message}")}");
            Assert.Equal(dragonFly, refusal is not null);

            await ApplyAsync(rules.ToSetUser(user, "secret", AclDialect.DragonFly));
            var described = string.Join(' ', Flatten(await server.Database.ExecuteAsync("ACL", "GETUSER", user)));
            output.WriteLine($"the DragonFly dialect's user: {described}");
            Assert.Contains("client", described, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await server.Database.ExecuteAsync("ACL", "DELUSER", user);
        }
    }

    /// <summary>
    /// Finding 5: a cluster refuses a script whose keys span slots (CROSSSLOT); a standalone server, and DragonFly even in
    /// emulated cluster mode, runs it. The keys go as plain arguments, so the client's own check does not stop it first.
    /// </summary>
    [Fact]
    public async Task A_cross_slot_script_is_refused_only_by_a_real_cluster()
    {
        var suffix = TestNames.Unique("conformance");
        var (first, second) = ($"{{a}}{suffix}", $"{{b}}{suffix}");
        var clusterMode = (await server.Database.ExecuteAsync("INFO", "cluster")).ToString()!.Contains("cluster_enabled:1", StringComparison.Ordinal);
        var refusedExpected = clusterMode && !await IsDragonFlyAsync();
        try
        {
            var reply = await server.Database.ExecuteAsync("EVAL", "redis.call('SET', KEYS[1], 1) redis.call('SET', KEYS[2], 1) return 2", 2, first, second);
            output.WriteLine($"{await KindAsync()} (cluster mode: {clusterMode}): a cross-slot script ran");
            Assert.False(refusedExpected, "a cluster ran a script whose keys span two slots");
            Assert.Equal(2, (long)reply);
        }
        catch (RedisServerException ex) when (refusedExpected)
        {
            output.WriteLine($"{await KindAsync()}: refused: {ex.Message}");
            Assert.Contains("CROSSSLOT", ex.Message, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string> Flatten(RedisResult result) =>
        result.Resp2Type == ResultType.Array ? ((RedisResult[])result!).SelectMany(Flatten) : [result.ToString()];

    private async Task ApplyAsync(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await server.Database.ExecuteAsync("ACL", [.. words[1..]]);
    }
}
