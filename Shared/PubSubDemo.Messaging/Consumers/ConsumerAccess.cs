using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Security;
using PubSubDemo.Messaging.Telemetry;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// What the consumers PATTERN starts send, with the commands inside <see cref="QueueScripts"/> (a script runs with
/// the caller's permissions) and the lengths the monitor report reads (SubscriberReportSource). The subscriber's
/// user reads and settles; it cannot publish on the channel or add to the stream.
/// </summary>
internal sealed class ConsumerAccess(MessagingOptions messaging) : IServerAccess
{
    public void Describe(AccessRules rules)
    {
        // PUBSUB_MODE=sharded: SSUBSCRIBE for the channel and the doorbells, and the SPUBLISH probe at start (ShardedPubSub).
        var sharded = messaging.PubSubMode == PubSubMode.Sharded;
        string[] subscribe = sharded ? ["ssubscribe", "sunsubscribe"] : ["subscribe", "unsubscribe"];
        if (sharded)
        {
            rules.Allow("spublish").Channel(ShardedPubSub.ProbeChannel);
        }

        if (messaging.Uses(Pattern.PubSub))
        {
            // Each entry of CHANNEL's list: a glob is a PSUBSCRIBE, which the server allows only for that same pattern, written as is.
            foreach (var entry in messaging.Channels)
            {
                var glob = MessagingOptions.IsGlob(entry);
                rules.Allow(glob ? ["psubscribe", "punsubscribe"] : subscribe).Channel(entry, glob: glob);
            }
        }

        if (messaging.Uses(Pattern.Queue))
        {
            // No PUBLISH: it would also allow publishing on CHANNEL. The ring after returning leftovers is fire and forget.
            rules.Allow(subscribe);
            rules.Allow("evalsha", "eval", "script|load", "lpop", "rpush", "rpop", "lpush", "exists", "srem");

            // BLOCKING_TAKE: the idle wait in BLMOVE on a second connection, and ending it at stop (QueueConsumer.Blocking).
            rules.Allow("blmove", "client|unblock");
            rules.Allow("lrange", "pexpire", "multi", "exec", "lrem", "del", "unlink", "set", "setex", "sadd", "smembers", "llen");
            foreach (var queue in messaging.QueuePartitions)
            {
                rules.Channel(KeyNames.Doorbell(queue));
                rules.Key(queue).Key(KeyNames.DeadLetters(queue)).Key(KeyNames.Consumers(queue))
                    .Key(KeyNames.Processing(AccessRules.EscapeGlob(queue), "*"), glob: true)
                    .Key(KeyNames.Heartbeat(AccessRules.EscapeGlob(queue), "*"), glob: true);
            }

            // Retries and delayed messages wait in the due set (QueueSettlement, DueScripts.TakeQueue, QueueScripts.Return).
            rules.Allow("zadd", "zrangebyscore", "zrem", "zrange", "zcard");
            foreach (var queue in messaging.QueuePartitions)
            {
                rules.Key(KeyNames.Due(queue));
            }

            // The partitions beyond PARTITIONS are looked at (LLEN only), to say when a publisher writes more than we read.
            rules.Allow("llen");
            foreach (var queue in PartitionCheck.Beyond(messaging, messaging.Queue))
            {
                rules.Key(queue);
            }
        }

        if (messaging.Uses(Pattern.Stream))
        {
            rules.Allow(subscribe);

            // XRANGE: a lost group is recreated where it left off and says how much it reads again (StreamGroups).
            rules.Allow("xgroup|create", "xreadgroup", "xack", "xautoclaim", "xpending", "multi", "exec", "rpush", "llen", "xinfo|groups", "xlen", "xrange");
            foreach (var stream in messaging.StreamPartitions)
            {
                rules.Channel(KeyNames.Doorbell(stream));
                rules.Key(stream).Key(KeyNames.DeadLetters(stream));
            }

            // Retries and delayed entries wait in the group's due set (StreamRetries, DueScripts.ClaimStream).
            rules.Allow("zadd", "zrangebyscore", "zrem", "zrange", "zcard", "zmscore", "xclaim", "evalsha", "eval", "script|load");
            foreach (var stream in messaging.StreamPartitions)
            {
                rules.Key(KeyNames.Due(stream, messaging.Group));
            }

            foreach (var stream in PartitionCheck.Beyond(messaging, messaging.Stream))
            {
                rules.Key(stream);
            }
        }
    }
}
