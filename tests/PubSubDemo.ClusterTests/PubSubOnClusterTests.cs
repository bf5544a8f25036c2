using PubSubDemo.Messaging;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

[Collection(ClusterCollection.Name)]
public sealed class PubSubOnClusterTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private RedisCluster Cluster => fixture.Cluster;

    /// <summary>
    /// Each subscriber is given a different node and the publisher another: with classic pub/sub the cluster bus
    /// carries every message to every node; with sharded pub/sub all of them subscribe on the channel's owner.
    /// </summary>
    [Theory]
    [InlineData("classic")]
    [InlineData("sharded")]
    public async Task Every_one_of_three_subscribers_gets_every_message_in_order(string mode)
    {
        output.WriteLine(fixture.Description);
        const int count = 200;
        var channel = TestNames.Unique("fanout");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = channel, ["PUBSUB_MODE"] = mode };
        var handlers = Enumerable.Range(0, 3).Select(_ => new RecordingHandler()).ToArray();
        await using var hosts = new ServiceHostGroup(output);
        var subscribers = new List<ServiceHost>();
        for (var i = 0; i < handlers.Length; i++)
        {
            subscribers.Add(await hosts.Add($"subscriber {i + 1}", ServiceHost.Subscriber(Cluster.Nodes[i].Address, settings, handlers[i])).StartAndWaitConsumingAsync());
        }

        long counted = 0;
        try
        {
            await Wait.UntilAsync(async () => (counted = await SubscriptionsAsync(channel, mode)) == 3, $"the cluster counts 3 {mode} subscriptions to {channel}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} (it counted {counted})", ex);
        }
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(Cluster.Nodes[^1].Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, count);

        await Wait.UntilAsync(() => handlers.All(h => h.Count(MessageSource.Channel) >= count), $"each of the 3 subscribers has {count} channel messages");
        await publisher.WaitForShutdownAsync(Wait.Default);
        for (var i = 0; i < handlers.Length; i++)
        {
            var received = handlers[i].Handled.Where(m => m.Source == MessageSource.Channel).Select(m => m.Message).ToList();
            Assert.Equal(expected, received.Select(m => m.Id));
            var stats = subscribers[i].SubscriberStats.Channel;
            Assert.Equal((0L, 0L, 0L, 0L, 0L), (stats.Sequences.Missing, stats.Sequences.Duplicates, stats.Sequences.Reorders, stats.Dropped, stats.Malformed));
        }

        if (mode == "sharded")
        {
            // SPUBLISH runs on the owner, where all three subscribe: it counts them all. (A classic PUBLISH counts
            // only the subscribers of the node that ran it; the bus delivers to the rest without counting them.)
            Assert.Equal(3, publisher.Get<PublisherStats>().LastReceivers);
        }
    }

    /// <summary>Subscriptions to <paramref name="channel"/> over all primaries: PUBSUB NUMSUB (classic) or SHARDNUMSUB (sharded).</summary>
    private async Task<long> SubscriptionsAsync(string channel, string mode)
    {
        long total = 0;
        foreach (var server in Cluster.Client.GetServers().Where(s => s.IsConnected))
        {
            var reply = (RedisResult[])(await server.ExecuteAsync("PUBSUB", mode == "sharded" ? "SHARDNUMSUB" : "NUMSUB", channel))!;
            total += (long)reply[1];
        }

        return total;
    }
}
