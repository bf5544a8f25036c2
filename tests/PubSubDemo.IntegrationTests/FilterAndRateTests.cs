using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>FILTER and HANDLE_RATE on every pattern, with the real hosts on a real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class FilterAndRateTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Theory]
    [InlineData("pubsub")]
    [InlineData("queue")]
    [InlineData("stream")]
    [InlineData("queue", "3")]
    [InlineData("stream", "3")]
    public async Task FILTER_hands_only_matching_messages_to_the_handler_and_settles_the_rest_as_filtered(string pattern, string partitions = "1")
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 60;
        var names = Names(pattern).With(("PARTITIONS", partitions));
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var keep = hosts.Add("kept publisher", ServiceHost.Publisher(server.Address, names.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        var drop = hosts.Add("filtered publisher", ServiceHost.Publisher(server.Address, names.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));

        // Two conditions: the kept publisher's sender, and content that every message has (escapes are the unit tests').
        var filter = $"sender={Published.Sender(keep)};content^=Message #";
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, names.With(("FILTER", filter)), handler)).StartAndWaitConsumingAsync();
        await keep.StartAsync();
        await drop.StartAsync();
        await keep.WaitForShutdownAsync(Wait.Default);
        await drop.WaitForShutdownAsync(Wait.Default);

        var source = subscriber.SubscriberStats.For(Source(pattern));
        await Wait.UntilAsync(() => source.Received >= 2 * count, $"{2 * count} {pattern} messages arrive");
        // In publish order, which PARTITIONS keeps per partition only.
        var expected = Published.Ids(keep, count);
        Assert.Equal(partitions == "1" ? expected : expected.Order(StringComparer.Ordinal), partitions == "1" ? handler.Ids(Source(pattern)) : handler.Ids(Source(pattern)).Order(StringComparer.Ordinal));
        Assert.Equal((2L * count, (long)count, (long)count), (source.Received, source.Handled, source.Filtered));
        Assert.Equal((0L, 0L, 0L), (source.Malformed, source.Failed, source.DeadLettered));
        await subscriber.WaitForLogAsync($"filtered {count}");

        // Settled, not dead: nothing left in a processing list, pending in the group or in a dead-letter list.
        var partitionCount = int.Parse(partitions, System.Globalization.CultureInfo.InvariantCulture);
        switch (pattern)
        {
            case "queue":
                foreach (var queue in Partitions.Names(names["QUEUE"]!, partitionCount))
                {
                    await Wait.UntilAsync(async () => (await server.KeysAsync(KeyNames.Processing(queue, "*"))).Count == 0, $"the processing list of {queue} is settled");
                    Assert.Equal(0, await server.Database.ListLengthAsync(queue));
                    Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(queue)));
                }

                break;
            case "stream":
                foreach (var stream in Partitions.Names(names["STREAM"]!, partitionCount))
                {
                    await Wait.UntilAsync(async () => (await server.Database.StreamPendingAsync(stream, "subscribers")).PendingMessageCount == 0, $"nothing is pending in the group of {stream}");
                    Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(stream)));
                }

                break;
        }
    }

    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    [InlineData("pubsub")]
    public async Task HANDLE_RATE_holds_the_rate_and_on_the_queue_and_stream_the_backlog_waits_on_the_server(string pattern)
    {
        output.WriteLine($"Server: {server.Description}");
        const int rate = 20;
        const int count = 150;
        const int measured = 60;
        var names = Names(pattern);

        // A little work per message, so that what the consumer holds is seen in flight: unlimited, it would take a whole batch.
        var handler = new RecordingHandler { Delay = TimeSpan.FromMilliseconds(20) };
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, names.With(("HANDLE_RATE", $"{rate}"), ("STREAM_START", "0")), handler)).StartAndWaitConsumingAsync();
        var publisher = await hosts.Add("publisher", ServiceHost.Publisher(server.Address, names.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0")))).StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);

        // From the fifth message on (the bucket's first step and the start are behind us), over 60 messages: three seconds at 20/s.
        var source = Source(pattern);
        await Wait.UntilAsync(() => handler.Count(source) >= 5, "the first messages are handled");
        var started = TimeProvider.System.GetTimestamp();
        var from = handler.Count(source);
        long mostInFlight = 0;
        await Wait.UntilAsync(async () =>
        {
            mostInFlight = Math.Max(mostInFlight, await InFlightAsync(pattern, names));
            return handler.Count(source) >= from + measured;
        }, $"{measured} more messages are handled at {rate}/s", TimeSpan.FromSeconds(60));
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var handled = handler.Count(source) - from;
        var waiting = await WaitingAsync(pattern, names);
        output.WriteLine($"{handled} messages in {elapsed.TotalSeconds:0.00} s = {handled / elapsed.TotalSeconds:0.0}/s (HANDLE_RATE={rate}); at most {mostInFlight} in flight; {waiting} waiting on the server");

        // The bucket grants at most one token per step (50 ms at 20/s) beyond the rate; 10 % on top for the clock.
        Assert.True(handled <= (rate * elapsed.TotalSeconds * 1.1) + 2, $"{handled} messages in {elapsed.TotalSeconds:0.00} s is faster than {rate}/s");
        if (pattern != "pubsub")
        {
            Assert.InRange(mostInFlight, 0, 1);
            Assert.True(waiting >= count - from - handled - 3, $"only {waiting} of the {count - from - handled} unhandled messages wait on the server");
        }

        Assert.Equal(0L, subscriber.SubscriberStats.For(source).Dropped);
    }

    [Fact]
    public async Task A_subscriber_stopped_while_HANDLE_RATE_holds_channel_messages_back_handles_every_one_that_had_arrived()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 10;
        var names = Names("pubsub");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, names.With(("HANDLE_RATE", "0.5")), handler)).StartAndWaitConsumingAsync();
        var publisher = await hosts.Add("publisher", ServiceHost.Publisher(server.Address, names.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0")))).StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);
        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= 1, "the first message is handled");
        Assert.True(handler.Count(MessageSource.Channel) < count, "one token every 2 s cannot have handled them all yet");

        await subscriber.StopAsync();

        Assert.Equal(Published.Ids(publisher, count), handler.Ids(MessageSource.Channel));
        Assert.Equal(0L, subscriber.SubscriberStats.Channel.Dropped);
    }

    private static Dictionary<string, string?> Names(string pattern) => new()
    {
        ["PATTERN"] = pattern,
        ["CHANNEL"] = TestNames.Unique("filter-channel"),
        ["QUEUE"] = TestNames.Unique("filter-queue"),
        ["STREAM"] = TestNames.Unique("filter-stream"),
    };

    private static MessageSource Source(string pattern) => pattern switch
    {
        "pubsub" => MessageSource.Channel,
        "queue" => MessageSource.Queue,
        _ => MessageSource.Stream,
    };

    /// <summary>What the consumer holds taken from the server: its processing list, or the group's pending entries.</summary>
    private async Task<long> InFlightAsync(string pattern, Dictionary<string, string?> names) => pattern switch
    {
        "queue" => (await Task.WhenAll((await server.KeysAsync(KeyNames.Processing(names["QUEUE"]!, "*"))).Select(k => server.Database.ListLengthAsync(k)))).Sum(),
        "stream" => (await server.Database.StreamPendingAsync(names["STREAM"], "subscribers")).PendingMessageCount,
        _ => 0,
    };

    /// <summary>What waits on the server untaken: the queue's length, or the entries the group has not been delivered.</summary>
    private async Task<long> WaitingAsync(string pattern, Dictionary<string, string?> names) => pattern switch
    {
        "queue" => await server.Database.ListLengthAsync(names["QUEUE"]),
        "stream" => (await server.Database.StreamGroupInfoAsync(names["STREAM"])).Single().Lag.GetValueOrDefault(-1),
        _ => 0,
    };
}
