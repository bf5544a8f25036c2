using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>Its own server, started after the services: not in the shared collection, so it runs beside it.</summary>
public sealed class LateServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Services_started_before_the_server_wait_for_it_and_then_deliver_every_queue_message()
    {
        const int count = 20;
        await using var server = RedisServerProcess.Create();
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} process on port {server.Port}, started after the services");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = TestNames.Unique("late") };
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings, handler)).StartAsync();
        var publisher = await hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0")))).StartAsync();

        // Two lines each: the first failed attempt and a retry after the backoff.
        foreach (var host in new[] { subscriber, publisher })
        {
            await Wait.UntilAsync(() => host.Log.Lines.Count(l => l.Contains("Waiting for the server", StringComparison.Ordinal)) >= 2, "each service logs that it is waiting for the server, twice");
        }

        Assert.False(server.IsRunning);
        Assert.Equal(0, handler.Count(MessageSource.Queue));
        await server.StartAsync();

        await Wait.UntilAsync(() => handler.Count(MessageSource.Queue) >= count, $"all {count} queue messages are handled once the server is up", TimeSpan.FromSeconds(40));
        await publisher.WaitForShutdownAsync(Wait.Default);
        Assert.Equal(Published.Ids(publisher, count), handler.Ids(MessageSource.Queue));
        Assert.True(subscriber.Log.Contains("Connected to"), "the subscriber did not log that it connected");
        Assert.True(publisher.Log.Contains("Connected to"), "the publisher did not log that it connected");
    }
}
