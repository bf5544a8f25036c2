using System.Diagnostics;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Shared.Configuration;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// BLOCKING_TAKE (issue 21): an idle queue consumer waits in BLMOVE on a connection of its own, so an item reaches it
/// in the server's reply instead of through the doorbell and a second round trip; a stop ends that block on the server
/// before the consumer hands its items back; a server that refuses BLMOVE sends the consumer back to the doorbell.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BlockingTakeTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task An_idle_queue_consumer_waits_in_BLMOVE_not_on_the_doorbell_and_handles_what_is_pushed()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("blocking");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, Settings(queue), handler)).StartAndWaitConsumingAsync();
        var name = subscriber.Get<MessagingSettings>().InstanceName;

        await Wait.UntilAsync(async () => (await BlockedClientsAsync(server.Database, name)).Count == 1, "the consumer's own connection waits in BLMOVE");
        var doorbell = PubSubChannels.Doorbell(subscriber.Get<MessagingSettings>(), queue);
        Assert.Equal(0, await NumSubAsync(server.Database, doorbell));

        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, Settings(queue).With(("MESSAGE_COUNT", "20"), ("PUBLISH_RATE", "50"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, 20);
        await Wait.UntilAsync(() => handler.Count(MessageSource.Queue) >= 20, "the 20 queue messages are handled");
        await Wait.UntilAsync(async () => await server.Database.ListLengthAsync(KeyNames.Processing(queue, name)) == 0, "the processing list is settled");

        Assert.Equal(expected.Order(StringComparer.Ordinal), handler.Ids(MessageSource.Queue).Order(StringComparer.Ordinal));
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
    }

    [Fact]
    public async Task Stopping_a_blocked_consumer_ends_its_block_at_once_and_a_later_push_stays_in_the_queue()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("blocking-stop");

        // IDLE_POLL is the longest a block lasts: a stop that waited the block out would take a minute.
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, Settings(queue).With(("IDLE_POLL", "60s")), handler)).StartAndWaitConsumingAsync();
        var name = subscriber.Get<MessagingSettings>().InstanceName;
        await Wait.UntilAsync(async () => (await BlockedClientsAsync(server.Database, name)).Count == 1, "the consumer's own connection waits in BLMOVE");

        var stopwatch = Stopwatch.StartNew();
        await subscriber.StopAsync();
        stopwatch.Stop();
        output.WriteLine($"stopped in {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"the stop took {stopwatch.Elapsed}: the block was waited out instead of ended");
        Assert.Empty(await BlockedClientsAsync(server.Database, name));

        // Nothing of the stopped consumer may take it now: it stays in the queue for the next consumer.
        await server.Database.ListRightPushAsync(queue, """{"id":"after-stop","content":"x","timestamp":"2026-12-07T00:00:00Z"}""");
        Assert.Equal(1, await server.Database.ListLengthAsync(queue));
        Assert.Empty(await server.KeysAsync(KeyNames.Processing(queue, "*")));
        Assert.Equal(0, handler.Count(MessageSource.Queue));
    }

    [Fact]
    public async Task A_server_that_refuses_BLMOVE_sends_the_consumer_back_to_the_doorbell()
    {
        await using var refusing = await RedisServerProcess.StartAsync(RedisServerProcess.FreePort(), ["--rename-command", "BLMOVE", ""]);
        await using var client = await ConnectionMultiplexer.ConnectAsync(refusing.Address);
        var queue = TestNames.Unique("blocking-refused");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(refusing.Address, Settings(queue), handler)).StartAndWaitConsumingAsync();
        await subscriber.WaitForLogAsync("Waiting in BLMOVE was refused");
        var doorbell = PubSubChannels.Doorbell(subscriber.Get<MessagingSettings>(), queue);
        await Wait.UntilAsync(async () => await NumSubAsync(client.GetDatabase(), doorbell) == 1, "the consumer subscribes to the doorbell instead");

        var publisher = hosts.Add("publisher", ServiceHost.Publisher(refusing.Address, Settings(queue).With(("MESSAGE_COUNT", "10"), ("PUBLISH_RATE", "50"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, 10);
        await Wait.UntilAsync(() => handler.Count(MessageSource.Queue) >= 10, "the 10 queue messages are handled through the doorbell");
        Assert.Equal(expected.Order(StringComparer.Ordinal), handler.Ids(MessageSource.Queue).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BLOCKING_TAKE_false_waits_on_the_doorbell_with_one_connection()
    {
        var queue = TestNames.Unique("blocking-off");
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, Settings(queue).With(("BLOCKING_TAKE", "false")), new RecordingHandler())).StartAndWaitConsumingAsync();
        var doorbell = PubSubChannels.Doorbell(subscriber.Get<MessagingSettings>(), queue);
        await Wait.UntilAsync(async () => await NumSubAsync(server.Database, doorbell) == 1, "the consumer waits on the doorbell");
        Assert.Empty(await BlockedClientsAsync(server.Database, subscriber.Get<MessagingSettings>().InstanceName));
    }

    private static Dictionary<string, string?> Settings(string queue) => new() { ["PATTERN"] = "queue", ["QUEUE"] = queue };

    /// <summary>The connections of consumer <paramref name="name"/> that the server holds blocked in BLMOVE (CLIENT LIST).</summary>
    private static async Task<List<string>> BlockedClientsAsync(IDatabase database, string name) =>
        [.. ((string)(await database.ExecuteAsync("CLIENT", "LIST"))!).Split('\n')
            .Where(line => line.Contains($" name={name}:blocking ", StringComparison.Ordinal) && line.Contains(" cmd=blmove", StringComparison.Ordinal))];

    private static async Task<long> NumSubAsync(IDatabase database, RedisChannel channel) =>
        (long)((RedisResult[])(await database.ExecuteAsync("PUBSUB", "NUMSUB", channel.ToString()))!)[1];
}
