using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterShapeTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private RedisCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task The_fixture_is_a_cluster_of_three_primaries_that_serve_every_slot()
    {
        output.WriteLine(fixture.Description);
        var shape = await ClusterShape.ReadAsync(Cluster.Client);

        Assert.NotNull(shape);
        Assert.Equal(3, shape.Primaries.Count);
        var served = shape.Primaries.SelectMany(p => p.Slots.Split(',')).Sum(range =>
            range.Split('-') is [var from, var to] ? int.Parse(to) - int.Parse(from) + 1 : 1);
        Assert.Equal(16384, served);
    }

    [Fact]
    public async Task Every_key_derived_from_a_queue_is_in_the_queues_slot_by_the_servers_own_CLUSTER_KEYSLOT()
    {
        output.WriteLine(fixture.Description);
        var server = Cluster.Client.GetServer(Cluster.Nodes[0].Address);
        foreach (var name in new[] { "message_queue", "message_stream", TestNames.Unique("queue"), "{orders}:jobs" })
        {
            var slot = (int)await server.ExecuteAsync("CLUSTER", "KEYSLOT", name);
            foreach (var key in new[] { KeyNames.Processing(name, "c1"), KeyNames.Heartbeat(name, "c1"), KeyNames.Consumers(name), KeyNames.Due(name), KeyNames.DeadLetters(name), KeyNames.Doorbell(name) })
            {
                Assert.Equal(slot, (int)await server.ExecuteAsync("CLUSTER", "KEYSLOT", key));
                Assert.Equal(slot, Cluster.Client.HashSlot(key));
            }
        }
    }

    [Fact]
    public async Task A_service_given_one_node_finds_the_cluster_and_logs_its_shape_and_where_its_queue_and_stream_live()
    {
        output.WriteLine(fixture.Description);
        var queue = TestNames.Unique("queue");
        var stream = TestNames.Unique("stream");
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(Cluster.Nodes[2].Address, new Dictionary<string, string?> { ["PATTERN"] = "all", ["QUEUE"] = queue, ["STREAM"] = stream, ["CHANNEL"] = TestNames.Unique("channel"), ["PUBSUB_MODE"] = "sharded" })).StartAndWaitConsumingAsync();

        await subscriber.WaitForLogAsync("Redis Cluster of 3 primaries, 0 replicas: ");
        foreach (var (what, name) in new[] { ("queue", queue), ("stream", stream) })
        {
            var placement = $"The {what} '{name}' and its derived keys are in slot {Cluster.Client.HashSlot(name)}, on {Cluster.PrimaryOf(name)}";
            await subscriber.WaitForLogAsync(placement);
        }

        await subscriber.WaitForLogAsync("pub/sub is sharded");
        var multiplexer = await subscriber.Get<RedisConnection>().GetAsync(CancellationToken.None);
        await Wait.UntilAsync(() => multiplexer.GetServers().Count(s => s.IsConnected && !s.IsReplica) == 3, "the subscriber, given one node, is connected to all three primaries");
    }

    [Fact]
    public async Task A_plain_RPUSH_to_the_queue_name_from_another_client_is_consumed_on_the_cluster()
    {
        output.WriteLine(fixture.Description);
        var queue = TestNames.Unique("queue");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        await hosts.Add("subscriber", ServiceHost.Subscriber(fixture.Address, new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["IDLE_POLL"] = "1m" }, handler)).StartAndWaitConsumingAsync();

        // What seed 002's publisher does: RPUSH to the plain name, then (here) ring our doorbell so the idle consumer looks.
        var json = $$"""{"id":"seed-1","content":"from seed 002","timestamp":"{{DateTimeOffset.UtcNow:O}}"}""";
        await Cluster.Client.GetDatabase().ListRightPushAsync(queue, json);
        await Cluster.Client.GetSubscriber().PublishAsync(RedisChannel.Literal(KeyNames.Doorbell(queue)), "");

        await Wait.UntilAsync(() => handler.Handled.Count == 1, "the pushed message is handled");
        Assert.Equal("seed-1", handler.Handled.Single().Message.Id);
    }
}
