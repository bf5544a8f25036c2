using PubSubDemo.Publisher.Sending;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Cluster;

/// <summary>
/// The batch publish script in the mode PUBSUB_MODE asks for. Both name the channel in KEYS, which routes the script
/// to the primary that owns the channel's slot on a cluster and changes nothing on a single server. SPUBLISH from a
/// script runs only there ("Script attempted to access a non local key" elsewhere). A classic PUBLISH from a script
/// runs on any node, which broadcasts it over the bus, but a script without keys goes to any node the client picks,
/// so batches that enter the cluster at different nodes would reach subscribers out of order.
/// </summary>
internal static class BatchPublish
{
    /// <summary>KEYS[1] the channel; ARGV[1] the channel again (as in the classic script), ARGV[2..] the payloads. Returns each SPUBLISH's receiver count.</summary>
    public const string ShardedPublishMany = """
        local receivers = {}
        for i = 2, #ARGV do receivers[i - 1] = redis.call('SPUBLISH', KEYS[1], ARGV[i]) end
        return receivers
        """;

    /// <summary><paramref name="values"/>: the channel, then every payload.</summary>
    public static Task<RedisResult> EvaluateAsync(IDatabase database, MessagingSettings messaging, RedisValue[] values) =>
        messaging.PubSubMode == PubSubMode.Sharded
            ? database.ScriptEvaluateAsync(ShardedPublishMany, [messaging.Channel], values)
            : database.ScriptEvaluateAsync(SendScripts.PublishMany, [messaging.Channel], values);
}
