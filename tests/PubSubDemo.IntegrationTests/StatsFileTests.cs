using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Shared.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// The subscriber's STATS_FILE (what the benchmark reads) and the figures behind it, which the demo keeps by observing
/// the engine's outcomes: counts, latency, timing, and the gaps the senders' sequence numbers show on the channel.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StatsFileTests(RedisServerFixture server, ITestOutputHelper output) : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"stats-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task The_STATS_FILE_counts_the_queue_messages_handled_with_their_latency_and_timing()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 50;
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = TestNames.Unique("stats") };
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings.With(("STATS_FILE", _path)), handler)).StartAndWaitConsumingAsync();
        await hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0")))).StartAsync();
        await Wait.UntilAsync(() => handler.Count(MessageSource.Queue) >= count, $"{count} queue messages are handled");

        await subscriber.StopAsync();

        var file = StatsFiles.ReadSubscriber(_path);
        var queue = Assert.Single(file.Sources, s => s.Source == "queue");
        Assert.Equal(("subscriber", "queue"), (file.Service, file.Pattern));
        Assert.Equal((count, count, 0L, 0L, 0L), (queue.Received, queue.Handled, queue.Malformed, queue.Failed, queue.DeadLettered));
        Assert.Equal(count, queue.Latency.Count);
        Assert.InRange(queue.Latency.P50Ms, 0, queue.Latency.MaxMs);
        Assert.NotEmpty(queue.Distribution);
        Assert.True(queue.FirstHandledAt <= queue.LastHandledAt, $"first handled {queue.FirstHandledAt:O}, last {queue.LastHandledAt:O}");
        Assert.Equal(count, queue.Timeline[^1].Handled);
        Assert.DoesNotContain(file.Sources, s => s.Source == "channel" || s.Source == "stream");
    }

    [Fact]
    public async Task A_gap_in_a_senders_sequence_on_the_channel_is_logged_and_counted_in_the_summary_and_the_STATS_FILE()
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("gaps");
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "pubsub", ["CHANNEL"] = channel, ["STATS_FILE"] = _path };
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings, handler)).StartAndWaitConsumingAsync();

        // Seq 3 and 4 never sent: a gap of two; then 3 arrives late and fills half of it.
        foreach (var seq in new long[] { 1, 2, 5, 3 })
        {
            var payload = MessageReader.Write(new Message($"gap-{seq}", "m", DateTimeOffset.UtcNow, "gapper", seq));
            Assert.Equal(1, await server.Database.PublishAsync(RedisChannel.Literal(channel), payload));
        }

        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= 4, "the four channel messages are handled");
        await subscriber.StopAsync();

        Assert.Contains(subscriber.Log.Lines, l => l.Contains("Gap on the channel from gapper: 2 messages missing (seq 3..4)", StringComparison.Ordinal));
        Assert.Contains(subscriber.Log.Lines, l => l.Contains("Late arrival on the channel from gapper: seq 3 fills an earlier gap", StringComparison.Ordinal));
        var summary = subscriber.Log.Lines.Last(l => l.Contains("Final summary channel", StringComparison.Ordinal));
        output.WriteLine(summary);
        Assert.Contains("received 4, handled 4, malformed 0", summary, StringComparison.Ordinal);
        Assert.Contains("gaps 1, duplicates 0, reorders 1, dropped 0", summary, StringComparison.Ordinal);

        var figures = Assert.Single(StatsFiles.ReadSubscriber(_path).Sources, s => s.Source == "channel");
        Assert.Equal((4L, 4L, 1L, 0L, 1L), (figures.Received, figures.Handled, figures.Gaps, figures.Duplicates, figures.Reorders));
    }

    public void Dispose() => File.Delete(_path);
}
