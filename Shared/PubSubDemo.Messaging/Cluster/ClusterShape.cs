using PubSubDemo.Messaging.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Cluster;

/// <summary>
/// What a Redis Cluster looks like from here: its primaries with their slot ranges and replicas, and which primary
/// holds each name this service uses. Null on a single server (or DragonFly without cluster mode).
/// </summary>
internal sealed record ClusterShape(IReadOnlyList<ClusterShape.Primary> Primaries, int Replicas, IReadOnlyList<ClusterShape.Placement> Names)
{
    public sealed record Primary(string Address, string Slots, IReadOnlyList<string> Replicas);

    public sealed record Placement(string What, string Name, int Slot, string Node);

    /// <summary>The shape as the connected nodes report it; the placements of <paramref name="messaging"/>'s names when given.</summary>
    public static async Task<ClusterShape?> ReadAsync(IConnectionMultiplexer multiplexer, MessagingOptions? messaging = null)
    {
        var server = multiplexer.GetServers().FirstOrDefault(s => s.IsConnected && s.ServerType == ServerType.Cluster);
        if (server is null || await server.ClusterNodesAsync() is not { } configuration)
        {
            return null;
        }

        var primaries = configuration.Nodes
            .Where(n => !n.IsReplica && n.Slots.Count > 0)
            .OrderBy(n => n.Slots.Min(r => r.From))
            .Select(n => new Primary(
                Address(n.EndPoint),
                string.Join(",", n.Slots.OrderBy(r => r.From).Select(r => r.From == r.To ? $"{r.From}" : $"{r.From}-{r.To}")),
                n.Children.Select(c => Address(c.EndPoint)).Order(StringComparer.Ordinal).ToList()))
            .ToList();
        var names = new List<Placement>();
        void Place(string what, string name)
        {
            var slot = multiplexer.HashSlot(name);
            names.Add(new Placement(what, name, slot, Address(configuration.GetBySlot(slot)?.EndPoint)));
        }

        if (messaging is null)
        {
            return new ClusterShape(primaries, configuration.Nodes.Count(n => n.IsReplica), names);
        }

        if (messaging.Uses(Pattern.PubSub) && messaging.PubSubMode == PubSubMode.Sharded)
        {
            foreach (var channel in messaging.Channels)
            {
                Place("channel", channel);
            }
        }

        // Each partition on its own line: which primary serves which partition.
        if (messaging.Uses(Pattern.Queue))
        {
            foreach (var queue in messaging.QueuePartitions)
            {
                Place("queue", queue);
            }
        }

        if (messaging.Uses(Pattern.Stream))
        {
            foreach (var stream in messaging.StreamPartitions)
            {
                Place("stream", stream);
            }
        }

        return new ClusterShape(primaries, configuration.Nodes.Count(n => n.IsReplica), names);
    }

    /// <summary>One line, e.g. "3 primaries, 0 replicas: 127.0.0.1:7000 slots 0-5460; 127.0.0.1:7001 slots 5461-10922 (replica 127.0.0.1:7004); …".</summary>
    public string Describe() =>
        $"{Primaries.Count} primaries, {Replicas} replicas: " + string.Join("; ", Primaries.Select(p =>
            $"{p.Address} slots {p.Slots}" + (p.Replicas.Count > 0 ? $" (replicas {string.Join(", ", p.Replicas)})" : "")));

    private static string Address(System.Net.EndPoint? endpoint) => endpoint is null ? "no node" : RedisAddress.Format(endpoint);
}
