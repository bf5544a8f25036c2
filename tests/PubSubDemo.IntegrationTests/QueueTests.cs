using PubSubDemo.Messaging;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class QueueTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Queue_message_reaches_exactly_one_of_three_subscribers()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 300;
        var queue = TestNames.Unique("queue");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue };

        // Small batches and a little work per message, so that all three consumers get a share.
        var subscriberSettings = settings.With(("BATCH_SIZE", "10"));
        var handlers = Enumerable.Range(0, 3).Select(_ => new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) }).ToArray();
        await using var hosts = new ServiceHostGroup(output);
        var subscribers = new List<ServiceHost>();
        for (var i = 0; i < handlers.Length; i++)
        {
            subscribers.Add(await hosts.Add($"subscriber {i + 1}", ServiceHost.Subscriber(server.Address, subscriberSettings, handlers[i])).StartAndWaitConsumingAsync());
        }

        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, count);

        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Queue)) >= count, $"{count} queue messages are handled");
        await Wait.UntilAsync(async () => (await server.KeysAsync(KeyNames.Processing(queue, "*"))).Count == 0, "every processing list is settled");

        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Queue)).ToList();
        Assert.Equal(count, ids.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.All(handlers, (h, i) => Assert.True(h.Count(MessageSource.Queue) > 0, $"subscriber {i + 1} handled none of the {count} messages"));
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
        Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(queue)));
        Assert.All(subscribers, s => Assert.Equal((0, 0, 0), (s.SubscriberStats.Queue.Malformed, s.SubscriberStats.Queue.Failed, s.SubscriberStats.Queue.DeadLettered)));

        // A graceful stop leaves nothing behind: no heartbeat, no registration, no processing list.
        foreach (var subscriber in subscribers)
        {
            await subscriber.StopAsync();
        }

        Assert.Empty(await server.KeysAsync(KeyNames.Heartbeat(queue, "*")));
        Assert.Empty(await server.KeysAsync(KeyNames.Processing(queue, "*")));
        Assert.Equal(0, await server.Database.SetLengthAsync(KeyNames.Consumers(queue)));
    }

    [Fact]
    public async Task Stopping_a_queue_subscriber_while_messages_flow_loses_and_duplicates_nothing()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 3000;
        var queue = TestNames.Unique("shutdown");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue };
        var subscriberSettings = settings.With(("BATCH_SIZE", "50"));

        // Two slow consumers (about 2 ms a message) fall behind a publisher at 2,000 messages/s, so the queue
        // holds a backlog and each consumer has a batch in hand when it is stopped.
        var handlers = new[] { new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) }, new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) } };
        await using var hosts = new ServiceHostGroup(output);
        var stopped = await hosts.Add("subscriber stopped mid-flow", ServiceHost.Subscriber(server.Address, subscriberSettings, handlers[0])).StartAndWaitConsumingAsync();
        var survivor = await hosts.Add("subscriber stopped after the publisher", ServiceHost.Subscriber(server.Address, subscriberSettings, handlers[1])).StartAndWaitConsumingAsync();
        var stoppedName = stopped.Get<MessagingSettings>().InstanceName;

        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "2000"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, count);
        var publisherStats = publisher.Get<PublisherStats>();

        await Wait.UntilAsync(() => handlers[0].Count(MessageSource.Queue) >= 100, "the first subscriber has handled 100 messages");
        var sentBeforeStop = publisherStats.Sent;
        await stopped.StopAsync();
        var handledByStopped = handlers[0].Count(MessageSource.Queue);
        output.WriteLine($"Stopped {stoppedName} after it handled {handledByStopped}, with {sentBeforeStop} of {count} sent");
        Assert.True(sentBeforeStop < count, $"the stop was meant to happen while the publisher was still sending, but all {count} were already sent");

        Assert.True(stopped.Log.Contains("Final summary"), "the stopped subscriber logged no final summary");
        Assert.True(stopped.Log.Contains($"Stopped consuming as {stoppedName}"), "the stopped subscriber did not report returning its in-flight items");
        Assert.False(await server.Database.KeyExistsAsync(KeyNames.Processing(queue, stoppedName)), "the stopped consumer's processing list is still there");
        Assert.False(await server.Database.KeyExistsAsync(KeyNames.Heartbeat(queue, stoppedName)), "the stopped consumer's heartbeat is still there");
        Assert.False(await server.Database.SetContainsAsync(KeyNames.Consumers(queue), stoppedName), "the stopped consumer is still registered");

        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((count, 0L), (publisherStats.Sent, publisherStats.Unsent));
        await survivor.StopAsync();
        Assert.True(survivor.Log.Contains("Final summary"), "the second subscriber logged no final summary");
        Assert.Equal(handledByStopped, handlers[0].Count(MessageSource.Queue));

        // Every message is either handled, once, or still waiting in the queue, once.
        var handled = handlers.SelectMany(h => h.Ids(MessageSource.Queue)).ToList();
        var remaining = (await server.Database.ListRangeAsync(queue)).Select(item => MessageReader.Read((byte[])item!).Message?.Id ?? $"unreadable: {item}").ToList();
        output.WriteLine($"Handled {handled.Count} ({handledByStopped} by the stopped subscriber), {remaining.Count} still queued");
        Assert.Empty(handled.Intersect(remaining));
        Assert.Equal(handled.Count, handled.Distinct().Count());
        Assert.Equal(remaining.Count, remaining.Distinct().Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), handled.Concat(remaining).Order(StringComparer.Ordinal));
        Assert.Empty(await server.KeysAsync(KeyNames.Processing(queue, "*")));
        Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(queue)));
    }

    /// <summary>
    /// A take that ran on the server while its reply was lost (a time-out, a reconnect) leaves items in the consumer's
    /// own processing list that no batch holds, and no other consumer may touch while this one's heartbeat lives. Made
    /// here directly: the idle consumer finds them within IDLE_POLL, says so, handles each once and settles them.
    /// </summary>
    [Fact]
    public async Task Items_left_in_an_idle_consumers_own_processing_list_are_found_and_handled()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("queue");
        var consumer = TestNames.Unique("consumer");
        var handler = new RecordingHandler();
        await using var subscriber = await ServiceHost.Subscriber(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue", ["QUEUE"] = queue, ["CONSUMER_NAME"] = consumer, ["IDLE_POLL"] = "200ms",
        }, handler).StartAndWaitConsumingAsync();

        var ids = Enumerable.Range(1, 3).Select(i => TestNames.Unique($"orphan{i}")).ToList();
        var processing = KeyNames.Processing(queue, consumer);
        await server.Database.ListRightPushAsync(processing, [.. ids.Select(id => (StackExchange.Redis.RedisValue)MessageReader.Write(new Message(id, "moved in by a take whose reply was lost", DateTimeOffset.UtcNow)))]);

        await Wait.UntilAsync(() => ids.All(handler.Ids(MessageSource.Queue).Contains), "the orphaned items are handled", TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(async () => await server.Database.ListLengthAsync(processing) == 0, "the processing list is settled");
        await subscriber.WaitForLogAsync("Found 3 items in our processing list");
        Assert.Equal(ids.Order(StringComparer.Ordinal), handler.Ids(MessageSource.Queue).Order(StringComparer.Ordinal));
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
    }
}
