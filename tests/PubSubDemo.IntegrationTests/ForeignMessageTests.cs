using PubSubDemo.Messaging;
using System.Globalization;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>What other clients put on the channel and the queue: the seed projects' formats, and garbage.</summary>
[Collection(ServerCollection.Name)]
public sealed class ForeignMessageTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Seed_000_and_seed_002_messages_from_a_raw_client_are_handled_with_their_ids_and_content()
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("seeds");
        var queue = TestNames.Unique("seeds");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, new Dictionary<string, string?> { ["PATTERN"] = "both", ["CHANNEL"] = channel, ["QUEUE"] = queue }, handler)).StartAndWaitConsumingAsync();

        // Whole milliseconds, so both wire forms below carry the exact instant.
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        var zulu = now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var noOffset = now.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        string Seed000(string id) => $$"""{"id":"{{id}}","content":"Hello from seed 000","timestamp":"{{zulu}}"}""";
        string Seed002(string id) => $$"""{"id": "{{id}}", "timestamp": "{{noOffset}}", "message": "Hello from seed 002", "sender": "python-publisher", "count": 7}""";
        var ids = new { Channel000 = Guid.NewGuid().ToString(), Channel002 = Guid.NewGuid().ToString(), Queue000 = Guid.NewGuid().ToString(), Queue002 = Guid.NewGuid().ToString() };

        Assert.Equal(1, await server.Database.PublishAsync(RedisChannel.Literal(channel), Seed000(ids.Channel000)));
        Assert.Equal(1, await server.Database.PublishAsync(RedisChannel.Literal(channel), Seed002(ids.Channel002)));
        await server.Database.ListRightPushAsync(queue, Seed000(ids.Queue000));
        await server.Database.ListRightPushAsync(queue, Seed002(ids.Queue002));

        // No doorbell rings for a raw RPUSH: the consumer finds the items by polling (IDLE_POLL).
        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= 2 && handler.Count(MessageSource.Queue) >= 2, "both seed messages arrive on the channel and on the queue");

        foreach (var (source, id000, id002) in new[] { (MessageSource.Channel, ids.Channel000, ids.Channel002), (MessageSource.Queue, ids.Queue000, ids.Queue002) })
        {
            var received = handler.Handled.Where(m => m.Source == source).Select(m => m.Message).ToList();
            Assert.Equal(2, received.Count);
            Assert.Equal(new Message(id000, "Hello from seed 000", now), received[0]);
            Assert.Equal(new Message(id002, "Hello from seed 002", now, "python-publisher", 7), received[1]);
            Assert.All(received, m => Assert.Equal(TimeSpan.Zero, m.Timestamp.Offset));
        }

        Assert.Equal((0L, 0L), (subscriber.SubscriberStats.Channel.Malformed, subscriber.SubscriberStats.Queue.Malformed));
        Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(queue)));
    }

    [Fact]
    public async Task A_malformed_message_is_counted_and_set_aside_and_the_next_message_is_handled()
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("malformed");
        var queue = TestNames.Unique("malformed");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(
            server.Address,
            new Dictionary<string, string?> { ["PATTERN"] = "both", ["CHANNEL"] = channel, ["QUEUE"] = queue, ["MAX_MESSAGE_BYTES"] = "256", ["IDLE_POLL"] = "100ms" },
            handler)).StartAndWaitConsumingAsync();
        var consumer = subscriber.Get<MessagingSettings>().InstanceName;

        var timestamp = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var bad = new (string Payload, string Reason)[]
        {
            ("this is not JSON", "not a JSON message"),
            ($$"""{"id":"too-large","content":"{{new string('x', 400)}}","timestamp":"{{timestamp}}"}""", "too large: "),
            ($$"""{"content":"who am I","timestamp":"{{timestamp}}"}""", "missing \"id\""),
        };

        // Each bad message is followed by a good one, on the channel and on the queue.
        var good = new Dictionary<MessageSource, List<string>> { [MessageSource.Channel] = [], [MessageSource.Queue] = [] };
        foreach (var (payload, _) in bad)
        {
            foreach (var source in good.Keys)
            {
                var id = Guid.NewGuid().ToString();
                good[source].Add(id);
                RedisValue[] pair = [payload, $$"""{"id":"{{id}}","content":"after a bad one","timestamp":"{{timestamp}}"}"""];
                if (source == MessageSource.Channel)
                {
                    await server.Database.PublishAsync(RedisChannel.Literal(channel), pair[0]);
                    await server.Database.PublishAsync(RedisChannel.Literal(channel), pair[1]);
                }
                else
                {
                    await server.Database.ListRightPushAsync(queue, pair);
                }
            }
        }

        var stats = subscriber.SubscriberStats;
        await Wait.UntilAsync(
            () => handler.Count(MessageSource.Channel) >= 3 && handler.Count(MessageSource.Queue) >= 3 && stats.Channel.Malformed >= 3 && stats.Queue.DeadLettered >= 3,
            "the good messages are handled and the bad ones counted and dead-lettered");

        Assert.Equal(good[MessageSource.Channel], handler.Ids(MessageSource.Channel));
        Assert.Equal(good[MessageSource.Queue], handler.Ids(MessageSource.Queue));
        Assert.Equal((6L, 3L, 3L), (stats.Channel.Received, stats.Channel.Handled, stats.Channel.Malformed));
        Assert.Equal((6L, 3L, 3L, 3L), (stats.Queue.Received, stats.Queue.Handled, stats.Queue.Malformed, stats.Queue.DeadLettered));
        Assert.True(subscriber.Log.Contains("Malformed message from channel"), "no warning for a malformed channel message");
        Assert.True(subscriber.Log.Contains("Malformed message from queue"), "no warning for a malformed queue message");

        var dead = (await server.Database.ListRangeAsync(KeyNames.DeadLetters(queue))).Select(item => MessageReader.ReadDeadLetter((byte[])item!)!).ToList();
        Assert.Equal(bad.Length, dead.Count);
        for (var i = 0; i < bad.Length; i++)
        {
            Assert.StartsWith(bad[i].Reason, dead[i].Reason, StringComparison.Ordinal);
            Assert.Equal(bad[i].Payload, dead[i].Payload);
            Assert.Equal((consumer, 1), (dead[i].Consumer, dead[i].Attempts));
        }

        await Wait.UntilAsync(async () => (await server.KeysAsync(KeyNames.Processing(queue, "*"))).Count == 0, "the queue consumer has settled its last batch");
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
    }
}
