using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// DEDUPE on a real server with the real subscriber: an id already handled is acknowledged without calling the handler
/// again, counted as duplicate, and its transactional effect is applied once; without DEDUPE nothing of it exists.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DedupeTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Theory]
    [InlineData("queue", "1")]
    [InlineData("queue", "3")]
    [InlineData("stream", "1")]
    [InlineData("stream", "3")]
    public async Task A_message_delivered_five_times_is_handled_once_and_counted_four_times_as_duplicate(string pattern, string partitions)
    {
        output.WriteLine($"Server: {server.Description}");
        var name = TestNames.Unique(pattern);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = pattern, [pattern == "queue" ? "QUEUE" : "STREAM"] = name, ["PARTITIONS"] = partitions, ["DEDUPE"] = "true", ["IDLE_POLL"] = "50ms" };
        var handler = new RecordingHandler { AddEffect = true };
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings, handler)).StartAndWaitConsumingAsync();
        var sink = pattern == "queue" ? subscriber.SubscriberStats.Queue : subscriber.SubscriberStats.Stream;

        // The same message three times, as a publisher retry or another client would write it, into the last partition.
        var partition = Partitions.Names(name, int.Parse(partitions))[^1];
        var id = TestNames.Unique("dup");
        var payload = MessageReader.Write(new Message(id, "twice and more", DateTimeOffset.UtcNow));
        for (var i = 0; i < 3; i++)
        {
            await AddAsync(pattern, partition, payload);
            await Wait.UntilAsync(() => sink.Received == i + 1, $"delivery {i + 1} is received");
        }

        // Two more back to back, most likely taken in one batch, where the second is known from the first one's handling.
        await Task.WhenAll(AddAsync(pattern, partition, payload), AddAsync(pattern, partition, payload));
        await Wait.UntilAsync(() => sink.Duplicate == 4, "the four repeats are counted as duplicate");
        Assert.Equal([id], handler.Ids(pattern == "queue" ? MessageSource.Queue : MessageSource.Stream));
        Assert.Equal(1, sink.Handled);
        Assert.Equal(1, (long)await server.Database.HashGetAsync(KeyNames.Effects(partition) + RecordingHandler.EffectKey, id));
        var marker = KeyNames.Handled(partition, pattern == "queue" ? "" : "subscribers", id);
        var ttl = await server.Database.KeyTimeToLiveAsync(marker);
        Assert.True(ttl > TimeSpan.FromHours(23) && ttl <= TimeSpan.FromHours(24), $"{marker} lives {ttl}, not DEDUPE_TTL's 24h");
        await Wait.UntilAsync(() => subscriber.Log.Contains("duplicate 4 (DEDUPE)"), "the summary shows the duplicates");

        // Settled: nothing left in a processing list or pending in the group.
        if (pattern == "queue")
        {
            await Wait.UntilAsync(async () => (await server.KeysAsync(KeyNames.Processing(partition, "*"))).Count == 0, "the processing list is settled");
            Assert.Equal(0, await server.Database.ListLengthAsync(partition));
        }
        else
        {
            await Wait.UntilAsync(async () => (await server.Database.StreamPendingAsync(partition, "subscribers")).PendingMessageCount == 0, "nothing is pending in the group");
        }
    }

    [Fact]
    public async Task On_the_channel_each_subscriber_handles_every_message_once_however_often_it_is_published()
    {
        var channel = TestNames.Unique("dedupe-channel");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = channel, ["DEDUPE"] = "true" };
        var handlers = new[] { new RecordingHandler { AddEffect = true }, new RecordingHandler { AddEffect = true } };
        await using var hosts = new ServiceHostGroup(output);
        var subscribers = new List<ServiceHost>();
        foreach (var (handler, i) in handlers.Select((h, i) => (h, i)))
        {
            subscribers.Add(await hosts.Add($"subscriber {i + 1}", ServiceHost.Subscriber(server.Address, settings, handler)).StartAndWaitConsumingAsync());
        }

        var id = TestNames.Unique("dup");
        var payload = MessageReader.Write(new Message(id, "published twice", DateTimeOffset.UtcNow));
        await server.Database.PublishAsync(RedisChannel.Literal(channel), payload);
        await server.Database.PublishAsync(RedisChannel.Literal(channel), payload);

        foreach (var subscriber in subscribers)
        {
            await Wait.UntilAsync(() => subscriber.SubscriberStats.Channel.Duplicate == 1, "each subscriber counts the second copy as duplicate");
        }

        Assert.All(handlers, h => Assert.Equal([id], h.Ids(MessageSource.Channel)));
        Assert.All(subscribers, s => Assert.Equal(1, s.SubscriberStats.Channel.Handled));
        Assert.Equal(2, (long)await server.Database.HashGetAsync(KeyNames.Effects(channel) + RecordingHandler.EffectKey, id));
    }

    [Fact]
    public async Task Without_DEDUPE_a_repeated_message_is_handled_again_and_no_marker_is_written()
    {
        var queue = TestNames.Unique("no-dedupe");
        var handler = new RecordingHandler { AddEffect = true };
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue }, handler)).StartAndWaitConsumingAsync();
        var payload = MessageReader.Write(new Message(TestNames.Unique("dup"), "twice", DateTimeOffset.UtcNow));
        await server.Database.ListRightPushAsync(queue, [payload, payload]);

        await Wait.UntilAsync(() => subscriber.SubscriberStats.Queue.Handled == 2, "both copies are handled");
        Assert.Equal(0, subscriber.SubscriberStats.Queue.Duplicate);
        Assert.All(handler.Handled, m => Assert.Null(m.Effects));
        Assert.Empty(await server.KeysAsync(KeyNames.Tag(queue) + ":handled:*"));
        Assert.Empty(await server.KeysAsync(KeyNames.Tag(queue) + ":effects:*"));
    }

    [Fact]
    public async Task An_effect_the_server_refuses_leaves_no_marker_and_the_message_is_retried_then_dead_lettered()
    {
        var queue = TestNames.Unique("bad-effect");
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["DEDUPE"] = "true", ["MAX_ATTEMPTS"] = "2" }, new BadEffectHandler())).StartAndWaitConsumingAsync();
        var id = TestNames.Unique("bad");
        await server.Database.ListRightPushAsync(queue, MessageReader.Write(new Message(id, "x", DateTimeOffset.UtcNow)));

        await Wait.UntilAsync(async () => await server.Database.ListLengthAsync(KeyNames.DeadLetters(queue)) == 1, "the message is dead-lettered after 2 attempts");
        var dead = MessageReader.ReadDeadLetter((byte[])(await server.Database.ListGetByIndexAsync(KeyNames.DeadLetters(queue), 0))!)!;
        output.WriteLine(dead.Reason);
        Assert.Contains("effect failed", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(2, subscriber.SubscriberStats.Queue.Failed);
        Assert.False(await server.Database.KeyExistsAsync(KeyNames.Handled(queue, "", id)), "a marker was set though the effect failed");

        // The write before the failing one ran (as in MULTI, nothing is rolled back), once per attempt.
        Assert.Equal(2, (long)await server.Database.StringGetAsync(KeyNames.Effects(queue) + "before"));
    }

    /// <summary>Adds a write that succeeds, then one the server refuses (HINCRBY by a word).</summary>
    private sealed class BadEffectHandler : IMessageHandler
    {
        public ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            var effects = message.Effects!;
            effects.StringIncrement(effects.Key("before"));
            effects.Call("HINCRBY", effects.Key("counts"), "field", "not-a-number");
            return ValueTask.CompletedTask;
        }
    }

    private Task AddAsync(string pattern, string key, byte[] payload) => SourceWrites.AddAsync(server.Database, pattern, key, payload);
}
