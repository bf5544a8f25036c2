using PubSubDemo.Messaging.Cluster;
using StackExchange.Redis;

namespace PubSubDemo.Bench;

/// <summary>What the end-to-end runs need of the server they run on: one redis-server, or a local cluster of them.</summary>
internal interface IBenchTarget
{
    /// <summary>REDIS_ADDR for the services (for a cluster, one node: the services discover the rest).</summary>
    string Address { get; }

    /// <summary>The benchmark's own client: readiness checks, drain checks and clean-up between runs.</summary>
    ConnectionMultiplexer Connection { get; }

    /// <summary>Every redis-server process behind it, for their CPU time.</summary>
    IReadOnlyList<int> Pids { get; }
}

internal static class BenchTargetExtensions
{
    public static IDatabase Database(this IBenchTarget target) => target.Connection.GetDatabase();

    /// <summary>CPU seconds of every server process together.</summary>
    public static double CpuSeconds(this IBenchTarget target) => target.Pids.Sum(pid => Proc.CpuSeconds(pid) ?? 0);

    /// <summary>Empties every primary between runs, so one run's backlog cannot slow the next.</summary>
    public static async Task FlushAsync(this IBenchTarget target)
    {
        foreach (var server in target.Connection.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await server.FlushAllDatabasesAsync();
        }
    }

    /// <summary>Subscriptions to <paramref name="channel"/> over every node: PUBSUB NUMSUB, or SHARDNUMSUB when sharded.</summary>
    public static async Task<long> SubscribersAsync(this IBenchTarget target, string channel, bool sharded = false)
    {
        long total = 0;
        foreach (var server in target.Connection.GetServers().Where(s => s.IsConnected))
        {
            if (await server.ExecuteAsync("PUBSUB", sharded ? "SHARDNUMSUB" : "NUMSUB", channel) is { Length: 2 } reply)
            {
                total += (long)reply[1];
            }
        }

        return total;
    }

    /// <summary>
    /// One consumer of <paramref name="queue"/> is ready: in its consumer registry, which it joins only after it can be
    /// woken (subscribed to its doorbell, or its blocking connection open: BLOCKING_TAKE has no doorbell to count).
    /// </summary>
    public static async Task<bool> QueueConsumerReadyAsync(this IBenchTarget target, string queue) =>
        await target.Database().SetLengthAsync(PubSubDemo.Messaging.Contract.KeyNames.Consumers(queue)) == 1;

    /// <summary>True when the queue and every processing list of it are empty: nothing published is still on its way.</summary>
    public static async Task<bool> QueueDrainedAsync(this IBenchTarget target, string queue)
    {
        var db = target.Database();
        if (await db.ListLengthAsync(queue) > 0)
        {
            return false;
        }

        foreach (var key in await target.KeysAsync(PubSubDemo.Messaging.Contract.KeyNames.Processing(queue, "*")))
        {
            if (await db.ListLengthAsync(key) > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The keys that match a glob on every primary.</summary>
    public static Task<List<RedisKey>> KeysAsync(this IBenchTarget target, string pattern) => ClusterKeys.ScanAsync(target.Connection, pattern);
}
