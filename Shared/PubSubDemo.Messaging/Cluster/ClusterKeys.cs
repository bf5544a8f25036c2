using StackExchange.Redis;

namespace PubSubDemo.Messaging.Cluster;

/// <summary>
/// Key look-ups that work the same on one server and on a cluster. SCAN walks one node's keys only, so on a cluster it
/// runs on every primary; MGET refuses keys of different slots there, so values are read one GET each, pipelined.
/// </summary>
internal static class ClusterKeys
{
    /// <summary>Every key matching <paramref name="pattern"/> (a SCAN MATCH glob, in which braces are plain characters) on every primary.</summary>
    public static async Task<List<RedisKey>> ScanAsync(IConnectionMultiplexer multiplexer, string pattern)
    {
        var primaries = multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToList();
        if (primaries.Count == 0)
        {
            throw new RedisException("no connected primary");
        }

        var keys = new HashSet<RedisKey>();
        foreach (var primary in primaries)
        {
            await foreach (var key in primary.KeysAsync(pattern: pattern, pageSize: 1000))
            {
                keys.Add(key);
            }
        }

        return [.. keys];
    }

    /// <summary>The values of <paramref name="keys"/>, in order; a missing key reads as null.</summary>
    public static async Task<RedisValue[]> GetEachAsync(IDatabase database, IReadOnlyList<RedisKey> keys) =>
        keys.Count == 0 ? [] : await Task.WhenAll(keys.Select(k => database.StringGetAsync(k)));
}
