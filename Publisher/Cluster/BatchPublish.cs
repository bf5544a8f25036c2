using PubSubDemo.Publisher.Sending;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Cluster;

/// <summary>
/// The batch publish script in the mode PUBSUB_MODE asks for. A classic PUBLISH from a script runs on any node
/// (a cluster broadcasts it over its bus). SPUBLISH from a script runs only on the primary that owns the channel's
/// slot ("Script attempted to access a non local key" elsewhere), so the sharded script names the channel in KEYS,
/// which routes it to that primary on a cluster and changes nothing on a single server.
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
            : database.ScriptEvaluateAsync(SendScripts.PublishMany, values: values);
}
