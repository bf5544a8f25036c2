using PubSubDemo.Subscriber.Stats;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class QueueTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Queue_message_reaches_exactly_one_of_three_subscribers()
    {
        output.WriteLine($"Server: {server.Kind}");
        var queue = TestNames.Unique("queue");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue };
        var handlers = Enumerable.Range(0, 3).Select(_ => new RecordingHandler()).ToArray();
        var subscribers = new List<ServiceHost>();
        foreach (var handler in handlers)
        {
            subscribers.Add(await ServiceHost.Subscriber(server.Address, settings, handler).StartAndWaitConnectedAsync());
        }

        await using var publisher = ServiceHost.Publisher(server.Address, new Dictionary<string, string?>(settings) { ["MESSAGE_COUNT"] = "300", ["PUBLISH_RATE"] = "0" });
        await publisher.StartAsync();

        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Queue)) >= 300, "300 queue messages are handled");
        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Queue)).ToList();
        Assert.Equal(300, ids.Count);
        Assert.Equal(300, ids.Distinct().Count());
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
        foreach (var subscriber in subscribers)
        {
            await subscriber.DisposeAsync();
        }
    }
}
