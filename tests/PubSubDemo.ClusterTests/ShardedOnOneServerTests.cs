using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>PUBSUB_MODE=sharded on a single Redis 7 (not a cluster): the same scripts and channels run unchanged.</summary>
public sealed class ShardedOnOneServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sharded_fan_out_and_sharded_doorbells_work_on_a_single_server()
    {
        await using var server = await RedisServerProcess.StartAsync();
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} process on port {server.Port}");
        const int count = 100;

        // IDLE_POLL is a minute: the queue consumer sees the pushes only if the sharded doorbell wakes it.
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "both", ["CHANNEL"] = TestNames.Unique("channel"), ["QUEUE"] = TestNames.Unique("queue"), ["PUBSUB_MODE"] = "sharded", ["IDLE_POLL"] = "1m" };
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings, handler)).StartAndWaitConsumingAsync();
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();

        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= count && handler.Count(MessageSource.Queue) >= count, $"{count} channel and {count} queue messages are handled");
        var expected = Published.Ids(publisher, count);
        Assert.Equal(expected, handler.Ids(MessageSource.Channel));
        Assert.Equal(expected, handler.Ids(MessageSource.Queue));
    }
}
