using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class DelayedMessageTests(RedisServerFixture server, ITestOutputHelper output)
{
    /// <summary>
    /// 1,000 delayed messages with mixed delays: two publishers with DELAY=1s and DELAY=2500ms, and another client that
    /// writes its own notBefore (0 to 3 s ahead, some already past). None is handled before its due time; the lateness
    /// (handled minus due) is what the summary's latency shows for them, and its p99 is printed.
    /// </summary>
    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task Delayed_messages_with_mixed_delays_are_none_handled_early_and_their_lateness_is_reported(string pattern)
    {
        output.WriteLine($"Server: {server.Description}");
        var name = TestNames.Unique("delay");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = pattern, ["QUEUE"] = name, ["STREAM"] = name };
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings.With(("STREAM_START", "0"), ("BATCH_SIZE", "100")), handler)).StartAndWaitConsumingAsync();
        var soon = hosts.Add("publisher DELAY=1s", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", "400"), ("PUBLISH_RATE", "400"), ("DELAY", "1s"))));
        var later = hosts.Add("publisher DELAY=2500ms", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", "300"), ("PUBLISH_RATE", "300"), ("DELAY", "2500ms"))));
        await soon.StartAsync();
        await later.StartAsync();

        // Another client schedules its own, one push per message, in between.
        var random = new Random(11);
        var foreign = Enumerable.Range(1, 300).Select(i => $"{name}-foreign-{i}").ToList();
        foreach (var id in foreign)
        {
            var now = DateTimeOffset.UtcNow;
            var payload = MessageReader.Write(new Message(id, "scheduled elsewhere", now, NotBefore: now.AddMilliseconds(random.Next(-500, 3000))));
            if (pattern == "queue")
            {
                await server.Database.ListRightPushAsync(name, payload);
            }
            else
            {
                await server.Database.StreamAddAsync(name, KeyNames.StreamField, payload);
            }
        }

        var expected = Published.Ids(soon, 400).Concat(Published.Ids(later, 300)).Concat(foreign).ToList();
        var source = RetryTests.SourceOf(subscriber, pattern);
        await Wait.UntilAsync(() => source.Handled >= expected.Count, $"the {expected.Count} delayed messages are handled", TimeSpan.FromSeconds(60));

        var lateness = handler.Attempts.Select(a => (a.Received.Message.Id, Late: a.At - a.Received.Message.DueAt)).ToList();
        var early = lateness.Where(l => l.Late < TimeSpan.Zero).ToList();
        Assert.True(early.Count == 0, $"handled before their due time: {string.Join(", ", early.Take(10).Select(e => $"{e.Id} ({e.Late.TotalMilliseconds:0.0} ms)"))}");
        var sorted = lateness.Select(l => l.Late.TotalMilliseconds).Order().ToList();
        var p50 = sorted[(int)(sorted.Count * 0.50)];
        var p99 = sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
        output.WriteLine($"{pattern}: {sorted.Count} delayed messages, none early; lateness p50 {p50:0.0} ms, p99 {p99:0.0} ms, max {sorted[^1]:0.0} ms");

        Assert.Equal(expected.Order(StringComparer.Ordinal), handler.Ids(RetryTests.Kind(pattern)).Order(StringComparer.Ordinal));
        output.WriteLine($"delayed {source.Delayed} (the others were due on arrival: {expected.Count - source.Delayed}), retried {source.Retried}, failed {source.Failed}");
        // Each waits once at most: the publishers' all (their DELAY is far above the trip), another client's unless already due.
        Assert.InRange(source.Delayed, 700, expected.Count);
        Assert.Equal((expected.Count + source.Delayed, 0L, 0L), (source.Received, source.Failed, source.DeadLettered));
        Assert.Equal(0, await server.Database.SortedSetLengthAsync(KeyNames.Due(name, pattern == "stream" ? subscriber.Get<PubSubDemo.Shared.Configuration.MessagingSettings>().Group : null)));

        await subscriber.StopAsync();
        var summary = subscriber.Log.Lines.Last(l => l.Contains($"Final summary {pattern}", StringComparison.Ordinal));
        output.WriteLine(summary);
        Assert.Contains($"delayed {source.Delayed}", summary, StringComparison.Ordinal);
    }

    /// <summary>
    /// On the channel, which keeps nothing on the server, a delayed message waits in the subscriber until it is due, in
    /// arrival order: none is handled early, and the latency runs from the due time.
    /// </summary>
    [Fact]
    public async Task A_delayed_channel_message_waits_in_the_subscriber_until_it_is_due()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 50;
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = TestNames.Unique("delayed") };
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings, handler)).StartAndWaitConsumingAsync();
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "100"), ("DELAY", "700ms"))));
        await publisher.StartAsync();

        var channel = subscriber.SubscriberStats.Channel;
        await Wait.UntilAsync(() => channel.Handled >= count, $"the {count} delayed channel messages are handled");
        var early = handler.Attempts.Where(a => a.At < a.Received.Message.DueAt).Select(a => a.Received.Message.Id).ToList();
        Assert.True(early.Count == 0, $"handled before their due time: {string.Join(", ", early)}");
        Assert.All(handler.Attempts, a => Assert.Equal(TimeSpan.FromMilliseconds(700), a.Received.Message.DueAt - a.Received.Message.Timestamp));
        Assert.Equal(Published.Ids(publisher, count), handler.Ids(MessageSource.Channel));
        // Counted as delayed when it had to wait on arrival; one that those ahead of it held up until past its due time did not.
        Assert.Equal(count, channel.Received);
        Assert.InRange(channel.Delayed, 1, count);
        output.WriteLine($"channel: lateness p99 {channel.Latency.Total().P99:0.0} ms, max {channel.Latency.Total().Max:0.0} ms (the timestamp was 700 ms before the due time)");
        Assert.True(channel.Latency.Total().Max < 700, "the channel's latency is not measured from the due time");
    }
}
