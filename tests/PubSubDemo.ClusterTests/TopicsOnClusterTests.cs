using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>
/// CHANNEL as a list on a real Redis Cluster: one subscriber on channels whose slots belong to different primaries.
/// Sharded, each SSUBSCRIBE goes to its channel's owner; classic, a glob beside them is a PSUBSCRIBE that the bus
/// feeds from every node.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TopicsOnClusterTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private RedisCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData("classic")]
    [InlineData("sharded")]
    public async Task One_subscriber_gets_every_listed_channel_in_order_when_their_slots_are_on_different_primaries(string mode)
    {
        const int count = 100;
        var prefix = TestNames.Unique("topics");
        var channels = OnDistinctPrimaries(prefix, 3);
        var entries = mode == "classic" ? [channels[0], channels[1], $"{prefix}.glob.*"] : channels;
        var published = mode == "classic" ? [channels[0], channels[1], $"{prefix}.glob.{channels[2]}"] : channels;
        output.WriteLine($"{fixture.Description}; CHANNEL={string.Join(',', entries)}; " +
            string.Join(", ", published.Select(c => $"{c} in slot {Cluster.Client.HashSlot(c)} on {Cluster.PrimaryOf(c)}")));
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(Cluster.Nodes[0].Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "pubsub", ["PUBSUB_MODE"] = mode, ["CHANNEL"] = string.Join(',', entries),
        }, handler)).StartAndWaitConsumingAsync();

        var publishers = new List<ServiceHost>();
        for (var i = 0; i < published.Length; i++)
        {
            publishers.Add(await hosts.Add($"publisher to {published[i]}", ServiceHost.Publisher(Cluster.Nodes[i % Cluster.Nodes.Count].Address, new Dictionary<string, string?>
            {
                ["PATTERN"] = "pubsub", ["PUBSUB_MODE"] = mode, ["CHANNEL"] = published[i], ["MESSAGE_COUNT"] = $"{count}", ["PUBLISH_RATE"] = "0",
            })).StartAsync());
        }

        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= published.Length * count, $"{published.Length * count} messages from the {published.Length} channels arrive");
        foreach (var publisher in publishers)
        {
            await publisher.WaitForShutdownAsync(Wait.Default);
            Assert.Equal(Published.Ids(publisher, count), handler.Handled.Where(m => m.Message.Sender == Published.Sender(publisher)).Select(m => m.Message.Id));
        }

        Assert.Equal(published.Length * count, handler.Handled.Count);
        Assert.Equal(published.Order(StringComparer.Ordinal), subscriber.SubscriberStats.Channels.All.Select(c => c.Name));
        Assert.All(subscriber.SubscriberStats.Channels.All, c => Assert.Equal((count, count), (c.Received, c.Handled)));
        Assert.Equal(0L, subscriber.SubscriberStats.Channel.Sequences.Duplicates);
    }

    /// <summary>Channel names under <paramref name="prefix"/> whose slots belong to <paramref name="count"/> different primaries.</summary>
    private string[] OnDistinctPrimaries(string prefix, int count)
    {
        var chosen = new Dictionary<string, string>();
        for (var i = 0; chosen.Count < count; i++)
        {
            var name = $"{prefix}-{i}";
            chosen.TryAdd(Cluster.PrimaryOf(name).ToString()!, name);
        }

        return [.. chosen.Values];
    }
}
