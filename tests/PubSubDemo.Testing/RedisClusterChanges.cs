using System.Diagnostics;
using StackExchange.Redis;

namespace PubSubDemo.Testing;

/// <summary>
/// Changes of a running cluster's shape, as an operator makes them: kill -9 of a primary and its replica's promotion,
/// the dead node's return as a replica, and one slot's move to another primary (SETSLOT IMPORTING / MIGRATING,
/// MIGRATE key by key, SETSLOT NODE), the steps <c>redis-cli --cluster reshard</c> takes for each slot.
/// </summary>
public sealed partial class RedisCluster
{
    /// <summary>One primary in CLUSTER NODES: its node id, its port, and the slots it serves.</summary>
    public sealed record Primary(string Id, int Port, IReadOnlyList<(int From, int To)> Slots)
    {
        public bool Serves(int slot) => Slots.Any(r => r.From <= slot && slot <= r.To);
    }

    /// <summary>The node process that serves <paramref name="slot"/> now, as a live node's CLUSTER NODES says.</summary>
    public async Task<RedisServerProcess> NodeServingAsync(int slot) =>
        await TryNodeServingAsync(slot) ?? throw new InvalidOperationException($"no live primary serves slot {slot}");

    /// <summary>Like <see cref="NodeServingAsync"/>, but null while no primary that is not failed serves the slot.</summary>
    public async Task<RedisServerProcess?> TryNodeServingAsync(int slot) =>
        (await PrimariesAsync()).SingleOrDefault(p => p.Serves(slot)) is { } owner ? Nodes.Single(n => n.Port == owner.Port) : null;

    /// <summary>The primaries that are not failed, as the first live node sees them.</summary>
    public async Task<IReadOnlyList<Primary>> PrimariesAsync()
    {
        var live = Nodes.First(n => n.IsRunning);
        var text = await CommandAsync(FindRedisCli(), live.Port, "cluster", "nodes");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Where(f => f.Length >= 8 && f[2].Contains("master", StringComparison.Ordinal) && !f[2].Contains("fail", StringComparison.Ordinal))
            .Select(f => new Primary(f[0], int.Parse(f[1].Split('@')[0].Split(':')[^1]), f.Skip(8).Where(s => !s.StartsWith('[')).Select(ParseRange).ToList()))
            .ToList();
    }

    /// <summary>
    /// kill -9 of <paramref name="victim"/>, the primary that serves <paramref name="slot"/>, then waits until its replica serves the slot and
    /// every live node says cluster_state:ok. Returns the promoted node and the time from the kill to the promotion.
    /// </summary>
    public async Task<(RedisServerProcess Promoted, TimeSpan Took)> KillPrimaryAsync(RedisServerProcess victim, int slot, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        await victim.KillAsync();
        var cli = FindRedisCli();
        RedisServerProcess? promoted = null;
        await Wait.UntilAsync(
            async () =>
            {
                promoted = await TryNodeServingAsync(slot);
                if (promoted is null || promoted == victim)
                {
                    return false;
                }

                foreach (var node in Nodes.Where(n => n.IsRunning))
                {
                    if (!IsReady(await CommandAsync(cli, node.Port, "cluster", "info")))
                    {
                        return false;
                    }
                }

                return true;
            },
            $"a replica of the killed primary on port {victim.Port} serves slot {slot} and the cluster is ok",
            timeout);
        return (promoted!, clock.Elapsed);
    }

    /// <summary>Starts a killed node again (empty: the nodes have no persistence) and waits until it is a replica in sync.</summary>
    public async Task RejoinAsReplicaAsync(RedisServerProcess node)
    {
        await node.StartAsync();
        var cli = FindRedisCli();
        await Wait.UntilAsync(
            async () => (await CommandAsync(cli, node.Port, "info", "replication")) is var info && info.Contains("role:slave", StringComparison.Ordinal) && info.Contains("master_link_status:up", StringComparison.Ordinal),
            $"the node on port {node.Port} is back as a replica in sync",
            TimeSpan.FromSeconds(30));
        await Client.ConfigureAsync();
    }

    /// <summary>
    /// Moves <paramref name="slot"/> to <paramref name="target"/> while clients use it: IMPORTING on the target,
    /// MIGRATING on the source, then MIGRATE one key at a time with <paramref name="pause"/> between keys (so that a
    /// queue's keys spend a while split between the two nodes), and SETSLOT NODE on every primary. Returns the keys moved.
    /// </summary>
    public async Task<int> MoveSlotAsync(int slot, Primary target, TimeSpan pause)
    {
        var cli = FindRedisCli();
        var primaries = await PrimariesAsync();
        var source = primaries.Single(p => p.Serves(slot));
        await Expect(cli, target.Port, "OK", "cluster", "setslot", $"{slot}", "importing", source.Id);
        await Expect(cli, source.Port, "OK", "cluster", "setslot", $"{slot}", "migrating", target.Id);
        var moved = 0;
        while (true)
        {
            var keys = (await CommandAsync(cli, source.Port, "cluster", "getkeysinslot", $"{slot}", "1")).Trim();
            if (keys.Length == 0)
            {
                break;
            }

            // A key may have left already (a list popped empty): MIGRATE then answers NOKEY, which is fine.
            var reply = await CommandAsync(cli, source.Port, "migrate", "127.0.0.1", $"{target.Port}", "", "0", "5000", "keys", keys);
            if (!reply.Contains("OK", StringComparison.Ordinal) && !reply.Contains("NOKEY", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"MIGRATE of '{keys}' from port {source.Port} to {target.Port} answered: {reply}");
            }

            moved++;
            await Task.Delay(pause);
        }

        // The target first, then the source, then the rest: the order redis-cli --cluster reshard uses.
        foreach (var primary in primaries.OrderBy(p => p.Id == target.Id ? 0 : p.Id == source.Id ? 1 : 2))
        {
            await Expect(cli, primary.Port, "OK", "cluster", "setslot", $"{slot}", "node", target.Id);
        }

        await Wait.UntilAsync(async () => (await NodeServingAsync(slot)).Port == target.Port, $"every node agrees that port {target.Port} serves slot {slot}");
        return moved;
    }

    private static async Task Expect(string cli, int port, string expected, params string[] command)
    {
        var reply = (await CommandAsync(cli, port, command)).Trim();
        if (reply != expected)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} on port {port} answered '{reply}', not '{expected}'");
        }
    }

    private static (int From, int To) ParseRange(string text) =>
        text.Split('-') is [var from, var to] ? (int.Parse(from), int.Parse(to)) : (int.Parse(text), int.Parse(text));
}
