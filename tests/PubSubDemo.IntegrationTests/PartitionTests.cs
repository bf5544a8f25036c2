using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// PARTITIONS on one server: the publisher spreads batches over the partitions, three subscribers share them and
/// handle each message exactly once; MESSAGE_KEY keeps one key's messages in one partition and in order; a
/// subscriber that serves fewer partitions than the publisher writes says so, and nothing is lost.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PartitionTests(RedisServerFixture server, ITestOutputHelper output)
{
    private const int Count = 300;

    [Fact]
    public async Task A_queue_of_three_partitions_gives_each_message_to_exactly_one_of_three_subscribers()
    {
        var queue = TestNames.Unique("parts");
        var partitions = Partitions.Names(queue, 3);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["PARTITIONS"] = "3", ["BATCH_SIZE"] = "10" };
        await using var hosts = new ServiceHostGroup(output);

        // Published before anyone consumes, so each partition's share can be seen.
        var publisher = await PublishAsync(hosts, settings, "publisher");
        var lengths = await Task.WhenAll(partitions.Select(p => server.Database.ListLengthAsync(p)));
        output.WriteLine($"Partitions {string.Join(", ", partitions.Zip(lengths, (p, l) => $"{p}: {l}"))}");
        Assert.Equal(Count, lengths.Sum());
        Assert.All(lengths, l => Assert.True(l > 0, "a partition got none of the batches"));

        var (handlers, subscribers) = await StartSubscribersAsync(hosts, settings, 3);
        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Queue)) >= Count, $"{Count} queue messages are handled");
        await Wait.UntilAsync(async () => (await ProcessingKeysAsync(partitions)).Count == 0, "every processing list is settled");

        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Queue)).ToList();
        Assert.Equal(Published.Ids(publisher, Count).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.All(handlers, (h, i) => Assert.True(h.Count(MessageSource.Queue) > 0, $"subscriber {i + 1} handled none of the {Count} messages"));
        foreach (var partition in partitions)
        {
            Assert.Equal(0, await server.Database.ListLengthAsync(partition));
            Assert.Equal(3, await server.Database.SetLengthAsync(KeyNames.Consumers(partition)));
        }

        // The backlog the summary and the monitor report show is the sum over the partitions.
        await Wait.UntilAsync(() => subscribers.All(s => s.SubscriberStats.Server.QueueLength == 0 && s.SubscriberStats.Server.QueueDeadLetters == 0), "every subscriber reports an empty queue");
        foreach (var subscriber in subscribers)
        {
            await subscriber.StopAsync();
        }

        Assert.Empty(await ProcessingKeysAsync(partitions));
        Assert.All(partitions, p => Assert.Equal(0, server.Database.SetLength(KeyNames.Consumers(p))));
    }

    [Fact]
    public async Task A_stream_of_three_partitions_gives_each_entry_to_exactly_one_member_of_the_group()
    {
        var stream = TestNames.Unique("parts");
        var partitions = Partitions.Names(stream, 3);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "stream", ["STREAM"] = stream, ["PARTITIONS"] = "3", ["BATCH_SIZE"] = "10" };
        await using var hosts = new ServiceHostGroup(output);
        var (handlers, subscribers) = await StartSubscribersAsync(hosts, settings, 3);
        var publisher = await PublishAsync(hosts, settings, "publisher");

        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(MessageSource.Stream)) >= Count, $"{Count} stream entries are handled");
        await Wait.UntilAsync(async () => (await Task.WhenAll(partitions.Select(p => server.Database.StreamPendingAsync(p, "subscribers")))).All(p => p.PendingMessageCount == 0), "every entry is acknowledged");

        var ids = handlers.SelectMany(h => h.Ids(MessageSource.Stream)).ToList();
        Assert.Equal(Published.Ids(publisher, Count).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.All(handlers, (h, i) => Assert.True(h.Count(MessageSource.Stream) > 0, $"subscriber {i + 1} handled none of the {Count} entries"));
        var lengths = await Task.WhenAll(partitions.Select(p => server.Database.StreamLengthAsync(p)));
        Assert.Equal(Count, lengths.Sum());
        Assert.All(lengths, l => Assert.True(l > 0, "a partition got none of the batches"));
        await Wait.UntilAsync(() => subscribers.All(s => s.SubscriberStats.Server.StreamLag == 0), "every subscriber reports no lag over the partitions");
    }

    [Fact]
    public async Task MESSAGE_KEY_keeps_each_senders_messages_in_one_partition_and_in_order()
    {
        var queue = TestNames.Unique("keyed");
        var partitions = Partitions.Names(queue, 3);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["PARTITIONS"] = "3", ["MESSAGE_KEY"] = "sender", ["BATCH_SIZE"] = "7" };
        await using var hosts = new ServiceHostGroup(output);
        var publishers = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => PublishAsync(hosts, settings, $"publisher {i}", 100)));

        // Each sender's messages sit in the partition its key hashes to, in publish order.
        foreach (var (partition, index) in partitions.Select((p, i) => (p, i)))
        {
            var messages = (await server.Database.ListRangeAsync(partition)).Select(item => MessageReader.Read((byte[])item!).Message!).ToList();
            output.WriteLine($"{partition}: {string.Join(", ", messages.GroupBy(m => m.Sender).Select(g => $"{g.Key} x{g.Count()}"))}");
            Assert.All(messages, m => Assert.Equal(index, Partitions.ForKey(m.Sender!, 3)));
            Assert.All(messages.GroupBy(m => m.Sender), g => Assert.Equal(g.Select(m => m.Seq).Order(), g.Select(m => m.Seq)));
        }

        // One consumer serving all three partitions handles each sender's messages in order.
        var (handlers, _) = await StartSubscribersAsync(hosts, settings, 1);
        await Wait.UntilAsync(() => handlers[0].Count(MessageSource.Queue) >= 300, "300 messages are handled");
        foreach (var publisher in publishers)
        {
            var sender = Published.Sender(publisher);
            var seqs = handlers[0].Handled.Where(m => m.Message.Sender == sender).Select(m => m.Message.Seq!.Value).ToList();
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seqs);
        }
    }

    [Fact]
    public async Task A_subscriber_serving_fewer_partitions_than_the_publisher_writes_says_so_and_nothing_is_lost()
    {
        var queue = TestNames.Unique("fewer");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["BATCH_SIZE"] = "10" };
        await using var hosts = new ServiceHostGroup(output);
        var (fewHandlers, fewHosts) = await StartSubscribersAsync(hosts, settings.With(("PARTITIONS", "2")), 1);
        var publisher = await PublishAsync(hosts, settings.With(("PARTITIONS", "4")), "publisher");

        await Wait.UntilAsync(() => fewHosts[0].Log.Contains("beyond our PARTITIONS=2 hold messages"), "the subscriber with PARTITIONS=2 says partitions beyond its own hold messages");
        var warning = fewHosts[0].Log.Lines.First(l => l.Contains("beyond our PARTITIONS=2", StringComparison.Ordinal));
        output.WriteLine(warning);
        Assert.Contains(Partitions.Name(queue, 2), warning, StringComparison.Ordinal);
        Assert.Contains(Partitions.Name(queue, 3), warning, StringComparison.Ordinal);

        // A subscriber with the publisher's count takes the rest: every message exactly once between them.
        var (all, _) = await StartSubscribersAsync(hosts, settings.With(("PARTITIONS", "4")), 1);
        await Wait.UntilAsync(() => fewHandlers[0].Count(MessageSource.Queue) + all[0].Count(MessageSource.Queue) >= Count, $"{Count} messages are handled");
        var ids = fewHandlers[0].Ids(MessageSource.Queue).Concat(all[0].Ids(MessageSource.Queue));
        Assert.Equal(Published.Ids(publisher, Count).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        await fewHosts[0].WaitForLogAsync("The partitions beyond PARTITIONS=2 are empty again");
    }

    private async Task<ServiceHost> PublishAsync(ServiceHostGroup hosts, Dictionary<string, string?> settings, string name, int count = Count)
    {
        var publisher = hosts.Add(name, ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);
        return publisher;
    }

    private async Task<(RecordingHandler[] Handlers, List<ServiceHost> Subscribers)> StartSubscribersAsync(ServiceHostGroup hosts, Dictionary<string, string?> settings, int count)
    {
        var handlers = Enumerable.Range(0, count).Select(_ => new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) }).ToArray();
        var subscribers = new List<ServiceHost>();
        for (var i = 0; i < count; i++)
        {
            subscribers.Add(await hosts.Add($"subscriber {i + 1} (PARTITIONS={settings.GetValueOrDefault("PARTITIONS") ?? "1"})", ServiceHost.Subscriber(server.Address, settings, handlers[i])).StartAndWaitConsumingAsync());
        }

        return (handlers, subscribers);
    }

    private async Task<List<string>> ProcessingKeysAsync(string[] partitions)
    {
        var keys = new List<string>();
        foreach (var partition in partitions)
        {
            keys.AddRange(await server.KeysAsync(KeyNames.Processing(partition, "*")));
        }

        return keys;
    }
}
