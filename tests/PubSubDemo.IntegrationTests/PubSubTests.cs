using PubSubDemo.Messaging;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class PubSubTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_channel_subscriber_gets_every_message_in_the_order_it_was_published()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 200;
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = TestNames.Unique("fanout") };
        var handlers = Enumerable.Range(0, 3).Select(_ => new RecordingHandler()).ToArray();
        await using var hosts = new ServiceHostGroup(output);
        var subscribers = new List<ServiceHost>();
        for (var i = 0; i < handlers.Length; i++)
        {
            subscribers.Add(await hosts.Add($"subscriber {i + 1}", ServiceHost.Subscriber(server.Address, settings, handlers[i])).StartAndWaitConsumingAsync());
        }

        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, count);

        await Wait.UntilAsync(() => handlers.All(h => h.Count(MessageSource.Channel) >= count), $"each of the 3 subscribers has {count} channel messages");
        await publisher.WaitForShutdownAsync(Wait.Default);
        Assert.Equal(3, publisher.Get<PublisherStats>().LastReceivers);
        for (var i = 0; i < handlers.Length; i++)
        {
            var received = handlers[i].Handled.Where(m => m.Source == MessageSource.Channel).Select(m => m.Message).ToList();
            Assert.Equal(expected, received.Select(m => m.Id));
            Assert.Equal(Enumerable.Range(1, count).Select(seq => (long?)seq), received.Select(m => m.Seq));
            var channel = subscribers[i].SubscriberStats.Channel;
            Assert.Equal((0L, 0L, 0L, 0L, 0L), (channel.Sequences.Missing, channel.Sequences.Duplicates, channel.Sequences.Reorders, channel.Dropped, channel.Malformed));
        }
    }

    [Fact]
    public async Task The_summary_line_tells_totals_from_the_interval_and_says_when_an_interval_handled_nothing()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 5;
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = TestNames.Unique("summary"), ["SUMMARY_INTERVAL"] = "200ms" };
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings, handler)).StartAndWaitConsumingAsync();
        var publisher = await hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0")))).StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);
        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= count, $"{count} channel messages are handled");

        // Totals since start, then the interval's own figures; an interval after the last message handled none.
        await subscriber.WaitForLogAsync($"Summary channel: received {count}, handled {count}, malformed 0 since start; gaps 0");
        await subscriber.WaitForLogAsync($"handled {count}, malformed 0 since start; gaps 0, duplicates 0, reorders 0, dropped 0; last 200ms: nothing handled");
        Assert.Contains(subscriber.Log.Lines, line => line.Contains("Summary channel:") && line.Contains("; last 200ms: handled "));
        Assert.DoesNotContain(subscriber.Log.Lines, line => line.Contains("Summary channel:") && line.Contains("latency p50 0.000 ms"));
    }

    [Fact]
    public async Task A_glob_CHANNEL_receives_from_every_matching_channel_and_from_no_other()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 20;
        var prefix = TestNames.Unique("glob");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = $"{prefix}.*" }, handler)).StartAndWaitConsumingAsync();

        // The non-matching channels first, to completion: the server forwards in the order it executes, so a
        // leak from them would arrive before any of the matching messages sent afterwards.
        var others = new List<ServiceHost>();
        foreach (var channel in new[] { $"{prefix}-other", $"other:{prefix}.a" })
        {
            var other = hosts.Add($"publisher to {channel}", ServiceHost.Publisher(server.Address, PublisherTo(channel, count)));
            await other.StartAsync();
            await other.WaitForShutdownAsync(Wait.Default);
            others.Add(other);
        }

        var matching = new List<ServiceHost>();
        foreach (var channel in new[] { $"{prefix}.a", $"{prefix}.b" })
        {
            matching.Add(await hosts.Add($"publisher to {channel}", ServiceHost.Publisher(server.Address, PublisherTo(channel, count))).StartAsync());
        }

        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= 2 * count, $"{2 * count} messages from {prefix}.a and {prefix}.b arrive");
        foreach (var publisher in matching)
        {
            await publisher.WaitForShutdownAsync(Wait.Default);
            var fromThis = handler.Handled.Where(m => m.Message.Sender == Published.Sender(publisher)).Select(m => m.Message.Id);
            Assert.Equal(Published.Ids(publisher, count), fromThis);
            Assert.Equal(1, publisher.Get<PublisherStats>().LastReceivers);
        }

        Assert.Equal(2 * count, handler.Handled.Count);
        Assert.All(others, other => Assert.Equal(0, other.Get<PublisherStats>().LastReceivers));
        Assert.Equal(0, subscriber.SubscriberStats.Channel.Malformed);
    }

    /// <summary>A pub/sub publisher of <paramref name="count"/> messages, as fast as it can, to <paramref name="channel"/>.</summary>
    internal static Dictionary<string, string?> PublisherTo(string channel, int count) => new()
    {
        ["PATTERN"] = "pubsub",
        ["CHANNEL"] = channel,
        ["MESSAGE_COUNT"] = $"{count}",
        ["PUBLISH_RATE"] = "0",
    };
}
