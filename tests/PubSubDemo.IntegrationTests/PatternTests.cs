using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class PatternTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task PATTERN_both_delivers_every_message_once_on_the_channel_and_once_on_the_queue()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 100;
        var queue = TestNames.Unique("both");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "both", ["CHANNEL"] = TestNames.Unique("both"), ["QUEUE"] = queue };
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings, handler)).StartAndWaitConsumingAsync();
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, count);

        await Wait.UntilAsync(
            () => handler.Count(MessageSource.Channel) >= count && handler.Count(MessageSource.Queue) >= count,
            $"{count} messages arrive on both the channel and the queue");
        await publisher.WaitForShutdownAsync(Wait.Default);
        await Wait.UntilAsync(async () => (await server.KeysAsync(KeyNames.Processing(queue, "*"))).Count == 0, "the queue consumer has settled its last batch");

        Assert.Equal(expected, handler.Ids(MessageSource.Channel));
        Assert.Equal(expected, handler.Ids(MessageSource.Queue));
        Assert.Equal(0, handler.Count(MessageSource.Stream));
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
        Assert.Equal((count, count), (subscriber.SubscriberStats.Channel.Handled, subscriber.SubscriberStats.Queue.Handled));
    }
}
