using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>
/// The work queue and the stream group on the cluster, consumed by three subscribers each given a different node.
/// IDLE_POLL is a minute, so an idle consumer that is not woken by its doorbell (on the queue's node in sharded
/// mode, over the bus in classic mode) would miss the deadline.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class QueueAndStreamOnClusterTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private const int Count = 300;

    private RedisCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData("classic")]
    [InlineData("sharded")]
    public async Task Each_queue_message_reaches_exactly_one_of_three_subscribers(string mode)
    {
        var queue = TestNames.Unique("queue");
        output.WriteLine($"{fixture.Description}; queue {queue} in slot {Cluster.Client.HashSlot(queue)} on {Cluster.PrimaryOf(queue)}");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["PUBSUB_MODE"] = mode };
        var (handlers, subscribers, hosts) = await StartSubscribersAsync(settings);
        await using var _ = hosts;
        var publisher = await PublishAsync(hosts, settings);

        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Queue)) >= Count, $"{Count} queue messages are handled");
        await Wait.UntilAsync(async () => (await Cluster.KeysAsync(KeyNames.Processing(queue, "*"))).Count == 0, "every processing list is settled");

        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Queue)).ToList();
        Assert.Equal(Published.Ids(publisher, Count).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.All(handlers, (h, i) => Assert.True(h.Count(MessageSource.Queue) > 0, $"subscriber {i + 1} handled none of the {Count} messages"));
        var database = Cluster.Client.GetDatabase();
        Assert.Equal(0, await database.ListLengthAsync(queue));
        Assert.Equal(0, await database.ListLengthAsync(KeyNames.DeadLetters(queue)));
        Assert.Equal(3, await database.SetLengthAsync(KeyNames.Consumers(queue)));
        Assert.All(subscribers, s => Assert.Equal((0, 0, 0), (s.SubscriberStats.Queue.Malformed, s.SubscriberStats.Queue.Failed, s.SubscriberStats.Queue.DeadLettered)));

        // Every key of the queue is on the queue's primary: nothing leaked to another slot.
        var owner = Cluster.PrimaryOf(queue);
        var heartbeats = await Cluster.KeysAsync(KeyNames.Heartbeat(queue, "*"));
        Assert.Equal(3, heartbeats.Count);
        Assert.All(heartbeats, key => Assert.Equal(owner, Cluster.PrimaryOf(key)));

        foreach (var subscriber in subscribers)
        {
            await subscriber.StopAsync();
        }

        Assert.Empty(await Cluster.KeysAsync(KeyNames.Heartbeat(queue, "*")));
        Assert.Equal(0, await database.SetLengthAsync(KeyNames.Consumers(queue)));
    }

    [Theory]
    [InlineData("classic")]
    [InlineData("sharded")]
    public async Task Each_stream_entry_is_handled_by_exactly_one_member_of_the_group(string mode)
    {
        var stream = TestNames.Unique("stream");
        output.WriteLine($"{fixture.Description}; stream {stream} in slot {Cluster.Client.HashSlot(stream)} on {Cluster.PrimaryOf(stream)}");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "stream", ["STREAM"] = stream, ["PUBSUB_MODE"] = mode };
        var (handlers, subscribers, hosts) = await StartSubscribersAsync(settings);
        await using var _ = hosts;
        var publisher = await PublishAsync(hosts, settings);

        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Stream)) >= Count, $"{Count} stream entries are handled");
        var database = Cluster.Client.GetDatabase();
        await Wait.UntilAsync(async () => (await database.StreamPendingAsync(stream, "subscribers")).PendingMessageCount == 0, "every entry is acknowledged");

        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Stream)).ToList();
        Assert.Equal(Published.Ids(publisher, Count).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.All(handlers, (h, i) => Assert.True(h.Count(MessageSource.Stream) > 0, $"subscriber {i + 1} handled none of the {Count} entries"));
        Assert.Equal(Count, await database.StreamLengthAsync(stream));
        Assert.Equal(0, await database.ListLengthAsync(KeyNames.DeadLetters(stream)));
        Assert.All(subscribers, s => Assert.Equal((0, 0, 0), (s.SubscriberStats.Stream.Malformed, s.SubscriberStats.Stream.Failed, s.SubscriberStats.Stream.DeadLettered)));
    }

    /// <summary>Three subscribers, the i-th given node i only; small batches and a little work so that all three get a share.</summary>
    private async Task<(RecordingHandler[] Handlers, List<ServiceHost> Subscribers, ServiceHostGroup Hosts)> StartSubscribersAsync(Dictionary<string, string?> settings)
    {
        var handlers = Enumerable.Range(0, 3).Select(_ => new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) }).ToArray();
        var hosts = new ServiceHostGroup(output);
        var subscribers = new List<ServiceHost>();
        for (var i = 0; i < handlers.Length; i++)
        {
            var host = ServiceHost.Subscriber(Cluster.Nodes[i].Address, settings.With(("BATCH_SIZE", "10"), ("IDLE_POLL", "1m")), handlers[i]);
            subscribers.Add(await hosts.Add($"subscriber {i + 1}", host).StartAndWaitConsumingAsync());
        }

        return (handlers, subscribers, hosts);
    }

    /// <summary>A publisher given every node, as a user would list the cluster in REDIS_ADDR.</summary>
    private async Task<ServiceHost> PublishAsync(ServiceHostGroup hosts, Dictionary<string, string?> settings)
    {
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(Cluster.Address, settings.With(("MESSAGE_COUNT", $"{Count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);
        return publisher;
    }
}
