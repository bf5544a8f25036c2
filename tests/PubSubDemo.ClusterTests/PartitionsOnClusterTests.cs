using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>
/// PARTITIONS on the cluster: the partitions of one queue land on every primary, three subscribers (each given one
/// node) share them and handle each message exactly once, the stream's partitions do the same for a group, and the
/// in-flight items of a consumer killed with SIGKILL go back to their own partitions.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PartitionsOnClusterTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private const int Count = 300;

    private static readonly string[] Roles = ["victim", "survivor-1", "survivor-2"];

    private RedisCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_queue_of_six_partitions_spreads_over_every_primary_and_gives_each_message_to_exactly_one_of_three_subscribers()
    {
        var queue = TestNames.Unique("queue");
        var partitions = Partitions.Names(queue, 6);
        Describe(partitions);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["PARTITIONS"] = "6", ["PUBSUB_MODE"] = "sharded", ["BATCH_SIZE"] = "10" };
        await using var hosts = new ServiceHostGroup(output);
        var publisher = await PublishAsync(hosts, settings);
        var lengths = await Task.WhenAll(partitions.Select(p => Cluster.Client.GetDatabase().ListLengthAsync(p)));
        Assert.Equal(Count, lengths.Sum());

        // Partitions that hold messages live on all three primaries (the slot function is Redis Cluster's own).
        Assert.All(partitions, p => Assert.Equal(Cluster.Client.HashSlot(p), Partitions.Slot(p)));
        Assert.Equal(3, partitions.Where((_, i) => lengths[i] > 0).Select(p => Cluster.PrimaryOf(p)).Distinct().Count());

        var handlers = await StartSubscribersAsync(hosts, settings);
        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Queue)) >= Count, $"{Count} queue messages are handled");
        await Wait.UntilAsync(async () => (await ProcessingKeysAsync(partitions)).Count == 0, "every processing list is settled");

        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Queue)).ToList();
        Assert.Equal(Published.Ids(publisher, Count).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.All(handlers, (h, i) => Assert.True(h.Count(MessageSource.Queue) > 0, $"subscriber {i + 1} handled none of the {Count} messages"));

        // Every partition's heartbeats sit on that partition's primary: three consumers, each registered everywhere.
        foreach (var partition in partitions)
        {
            var heartbeats = await Cluster.KeysAsync(KeyNames.Heartbeat(partition, "*"));
            Assert.Equal(3, heartbeats.Count);
            Assert.All(heartbeats, key => Assert.Equal(Cluster.PrimaryOf(partition), Cluster.PrimaryOf(key)));
            Assert.Equal(0, await Cluster.Client.GetDatabase().ListLengthAsync(partition));
        }
    }

    [Fact]
    public async Task A_stream_of_six_partitions_gives_each_entry_to_exactly_one_member_of_the_group()
    {
        var stream = TestNames.Unique("stream");
        var partitions = Partitions.Names(stream, 6);
        Describe(partitions);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "stream", ["STREAM"] = stream, ["PARTITIONS"] = "6", ["BATCH_SIZE"] = "10" };
        await using var hosts = new ServiceHostGroup(output);
        var handlers = await StartSubscribersAsync(hosts, settings);
        var publisher = await PublishAsync(hosts, settings);

        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Stream)) >= Count, $"{Count} stream entries are handled");
        var database = Cluster.Client.GetDatabase();
        await Wait.UntilAsync(async () => (await Task.WhenAll(partitions.Select(p => database.StreamPendingAsync(p, "subscribers")))).All(p => p.PendingMessageCount == 0), "every entry is acknowledged");

        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Stream)).ToList();
        Assert.Equal(Published.Ids(publisher, Count).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.Equal(Count, (await Task.WhenAll(partitions.Select(p => database.StreamLengthAsync(p)))).Sum());
    }

    [Fact]
    public async Task The_in_flight_items_of_a_consumer_killed_with_SIGKILL_go_back_to_their_partitions_and_are_handled()
    {
        const int count = 600;
        var queue = TestNames.Unique("reclaim");
        var partitions = Partitions.Names(queue, 3);
        Describe(partitions);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["PARTITIONS"] = "3", ["BATCH_SIZE"] = "10" };
        await using var hosts = new ServiceHostGroup(output);
        var publisher = await PublishAsync(hosts, settings, count);
        var expected = Published.Ids(publisher, count);

        var names = Roles.Select(n => $"{n}-{Guid.NewGuid().ToString("N")[..6]}").ToArray();
        var consumers = names.Select(name => ServiceProcess.Start("Subscriber", settings.With(
            ("REDIS_ADDR", fixture.Address), ("CONSUMER_NAME", name), ("HEARTBEAT_TTL", "2s"), ("HANDLER_DELAY", "10ms"), ("SUMMARY_INTERVAL", "1m")))).ToList();
        try
        {
            var victim = consumers[0];
            var database = Cluster.Client.GetDatabase();
            var victimLists = partitions.Select(p => KeyNames.Processing(p, names[0])).ToList();
            await Wait.UntilAsync(() => Handled(victim).Count >= 30, "the victim has handled 30 items", TimeSpan.FromSeconds(30));
            await Wait.UntilAsync(async () => (await Task.WhenAll(victimLists.Select(l => database.ListLengthAsync(l)))).Sum() > 0, "the victim has a batch in hand");
            victim.KillHard();
            await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var inFlight = new List<string>();
            foreach (var list in victimLists)
            {
                inFlight.AddRange((await database.ListRangeAsync(list)).Select(item => MessageReader.Read((byte[])item!).Message!.Id));
            }

            output.WriteLine($"Killed {names[0]} after it handled {Handled(victim).Count}; in flight: {string.Join(", ", inFlight)}");
            Assert.NotEmpty(inFlight);

            await Wait.UntilAsync(async () => (await Task.WhenAll(victimLists.Select(l => database.KeyExistsAsync(l)))).All(e => !e), "the victim's processing lists are reclaimed", TimeSpan.FromSeconds(20));
            await Wait.UntilAsync(
                () => consumers[1..].SelectMany(c => c.Output).Any(l => l.Contains(names[0], StringComparison.Ordinal) && l.Contains("back to the queue", StringComparison.Ordinal)),
                $"a survivor logs that it moved {names[0]}'s in-flight items back to their partition");
            await Wait.UntilAsync(() => expected.ToHashSet().IsSubsetOf(consumers.SelectMany(Handled)), $"the {count} ids are handled by the three consumers", TimeSpan.FromSeconds(60));

            var bySurvivors = consumers[1..].SelectMany(Handled).ToHashSet();
            Assert.All(inFlight, id => Assert.Contains(id, bySurvivors));
            Assert.All(partitions, p => Assert.Equal(0, database.ListLength(p)));
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                consumer.Terminate();
                await consumer.WaitForExitAsync(TimeSpan.FromSeconds(20));
                await consumer.DisposeAsync();
            }
        }
    }

    /// <summary>The ids a subscriber process printed as handled ("… (ID: x) [Received #n from queue] …").</summary>
    private static List<string> Handled(ServiceProcess process) =>
        [.. process.Output.Select(line => (line, at: line.IndexOf("(ID: ", StringComparison.Ordinal)))
            .Where(x => x.at >= 0)
            .Select(x => x.line[(x.at + 5)..x.line.IndexOf(')', x.at)])];

    private void Describe(string[] partitions) =>
        output.WriteLine($"{fixture.Description}; " + string.Join("; ", partitions.Select(p => $"{p} in slot {Partitions.Slot(p)} on {Cluster.PrimaryOf(p)}")));

    private async Task<RecordingHandler[]> StartSubscribersAsync(ServiceHostGroup hosts, Dictionary<string, string?> settings)
    {
        var handlers = Enumerable.Range(0, 3).Select(_ => new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) }).ToArray();
        for (var i = 0; i < handlers.Length; i++)
        {
            await hosts.Add($"subscriber {i + 1}", ServiceHost.Subscriber(Cluster.Nodes[i].Address, settings.With(("IDLE_POLL", "1m")), handlers[i])).StartAndWaitConsumingAsync();
        }

        return handlers;
    }

    private async Task<ServiceHost> PublishAsync(ServiceHostGroup hosts, Dictionary<string, string?> settings, int count = Count)
    {
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(Cluster.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);
        return publisher;
    }

    private async Task<List<string>> ProcessingKeysAsync(string[] partitions)
    {
        var keys = new List<string>();
        foreach (var partition in partitions)
        {
            keys.AddRange(await Cluster.KeysAsync(KeyNames.Processing(partition, "*")));
        }

        return keys;
    }
}
