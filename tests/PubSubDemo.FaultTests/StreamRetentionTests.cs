using PubSubDemo.Messaging;
using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

/// <summary>
/// STREAM_MAXLEN keeps what a consumer group has not read: a group whose consumer is away holds the trim back, and
/// an entry that vanishes anyway (deleted by another client while pending) is counted and logged as lost.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class StreamRetentionTests(ITestOutputHelper output)
{
    private const int MaxLength = 100;

    [Fact]
    public async Task A_stopped_groups_entries_survive_STREAM_MAXLEN_and_every_one_is_handled_when_its_consumer_returns()
    {
        const int count = 5000;
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var stream = TestNames.Unique("retention");
        var settings = StreamSettings(stream, Services.Name("group"));

        // The group is created by its consumer, which then goes away before anything is published.
        var handler = new RecordingHandler();
        await (await ServiceHost.Subscriber(server.Address, settings, handler).StartAndWaitConsumingAsync()).DisposeAsync();

        var (sent, publisher) = await PublishAsync(server, stream, count);
        var length = await server.Database.StreamLengthAsync(stream);
        output.WriteLine($"{count} published with STREAM_MAXLEN={MaxLength} while the group's consumer was away: stream length {length}");
        Assert.Equal(count, length);
        Assert.True(publisher.Log.Contains($"past STREAM_MAXLEN={MaxLength}"), "the publisher did not say that a lagging group holds the stream past STREAM_MAXLEN");
        Assert.True(publisher.Get<PublisherStats>().StreamRetentionHeld, "PublisherStats does not show the trim held back");
        await publisher.DisposeAsync();

        await using var returning = await ServiceHost.Subscriber(server.Address, settings, handler).StartAndWaitConsumingAsync();
        await Wait.UntilAsync(() => handler.Count(MessageSource.Stream) >= count, $"the returning consumer handles all {count} entries", TimeSpan.FromSeconds(60));
        new Ledger(sent).Handled(handler.Ids(MessageSource.Stream)).AssertNothingLost(duplicatesAllowed: false);
        Assert.Equal(0, returning.SubscriberStats.Stream.Lost);

        // Caught up: the next batch trims the stream back to the limit (plus the last delivered entry, kept as a marker).
        await Wait.UntilAsync(async () => (await server.StreamStateAsync(stream, settings["GROUP"]!)).PendingCount == 0, "every entry is acknowledged");
        var (_, after) = await PublishAsync(server, stream, 1);
        await after.DisposeAsync();
        length = await server.Database.StreamLengthAsync(stream);
        output.WriteLine($"After the group caught up and one more message: stream length {length}; {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.InRange(length, MaxLength, MaxLength + 1);
    }

    [Fact]
    public async Task With_two_groups_STREAM_MAXLEN_follows_the_slower_one()
    {
        const int count = 2000;
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var stream = TestNames.Unique("retention");
        var fast = new RecordingHandler();
        var slow = new RecordingHandler();
        var slowSettings = StreamSettings(stream, Services.Name("slow"));
        await using var fastConsumer = await ServiceHost.Subscriber(server.Address, StreamSettings(stream, Services.Name("fast")), fast).StartAndWaitConsumingAsync();
        await (await ServiceHost.Subscriber(server.Address, slowSettings, slow).StartAndWaitConsumingAsync()).DisposeAsync();

        var (sent, publisher) = await PublishAsync(server, stream, count);
        await publisher.DisposeAsync();
        await Wait.UntilAsync(() => fast.Count(MessageSource.Stream) >= count, "the fast group handles every entry");
        var length = await server.Database.StreamLengthAsync(stream);
        output.WriteLine($"The fast group handled {fast.Count(MessageSource.Stream)}; the slow one is away; stream length {length}");
        Assert.Equal(count, length);

        await using var slowConsumer = await ServiceHost.Subscriber(server.Address, slowSettings, slow).StartAndWaitConsumingAsync();
        await Wait.UntilAsync(() => slow.Count(MessageSource.Stream) >= count, "the slow group handles every entry when it returns", TimeSpan.FromSeconds(60));
        new Ledger(sent).Handled(fast.Ids(MessageSource.Stream)).AssertNothingLost(duplicatesAllowed: false);
        new Ledger(sent).Handled(slow.Ids(MessageSource.Stream)).AssertNothingLost(duplicatesAllowed: false);
    }

    [Fact]
    public async Task An_entry_deleted_while_pending_is_counted_and_logged_as_lost_on_recovery_and_on_claim()
    {
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var stream = TestNames.Unique("lost");
        var group = Services.Name("group");
        var database = server.Database;
        await database.StreamCreateConsumerGroupAsync(stream, group, "0", createStream: true);
        var ids = new List<RedisValue>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await database.StreamAddAsync(stream, "data", RawMessages.Json(Services.Name("m"), $"entry {i}")));
        }

        // Delivered and never acknowledged: three to the consumer that comes back under its pinned name, three to one
        // that never returns. Another client then deletes one of each while they are pending.
        const string pinned = "pinned-consumer";
        Assert.Equal(3, (await database.StreamReadGroupAsync(stream, group, pinned, ">", 3)).Length);
        Assert.Equal(3, (await database.StreamReadGroupAsync(stream, group, "gone-consumer", ">", 3)).Length);
        await database.StreamDeleteAsync(stream, [ids[1], ids[4]]);

        var handler = new RecordingHandler();
        await using var subscriber = await ServiceHost.Subscriber(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "stream",
            ["STREAM"] = stream,
            ["GROUP"] = group,
            ["CONSUMER_NAME"] = pinned,
            ["CLAIM_IDLE"] = "200ms",
        }, handler).StartAndWaitConsumingAsync();

        var stats = subscriber.SubscriberStats.Stream;
        await Wait.UntilAsync(() => handler.Count(MessageSource.Stream) >= 4 && stats.Lost >= 2, "four entries are handled and the two deleted ones counted as lost");
        await Wait.UntilAsync(async () => (await server.StreamStateAsync(stream, group)).PendingCount == 0, "nothing is left pending");
        Assert.Equal(2, stats.Lost);
        Assert.Equal(4, handler.Count(MessageSource.Stream));
        foreach (var deleted in new[] { ids[1], ids[4] })
        {
            Assert.True(subscriber.Log.Contains($"Lost stream entry {deleted}"), $"no log line names the lost entry {deleted}");
        }
    }

    private static Dictionary<string, string?> StreamSettings(string stream, string group) => new()
    {
        ["PATTERN"] = "stream",
        ["STREAM"] = stream,
        ["GROUP"] = group,
        ["STREAM_START"] = "0",
        ["BATCH_SIZE"] = "200",
    };

    /// <summary>Runs a publisher with STREAM_MAXLEN until it has added <paramref name="count"/> entries; it stays undisposed so its log can be read.</summary>
    private static async Task<(List<string> Ids, ServiceHost Publisher)> PublishAsync(FaultServer server, string stream, int count)
    {
        var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "stream",
            ["STREAM"] = stream,
            ["MESSAGE_COUNT"] = count.ToString(),
            ["PUBLISH_RATE"] = "0",
            ["STREAM_MAXLEN"] = MaxLength.ToString(),
        });
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(60));
        return (Services.SentIds(publisher, count).ToList(), publisher);
    }
}
