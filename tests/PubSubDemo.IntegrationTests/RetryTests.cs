using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Subscriber.Figures;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

[Collection(ServerCollection.Name)]
public sealed class RetryTests(RedisServerFixture server, ITestOutputHelper output)
{
    private const int Count = 150;

    /// <summary>
    /// RETRY_BACKOFF=500ms: with equal jitter the first retry waits 250-500 ms, the second 500-1000 ms (unit-tested in
    /// RetryAndDelayTests). Each gap starts when the failed attempt began, before its batch was settled, so it can only be
    /// longer: by the rest of the batch (10 items of no work), the settlement and the take when due (two round trips on
    /// loopback) and the timer's wake-up, which on this shared 2-core machine we allow 750 ms. The lower bound has no slack.
    /// </summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(750);

    [Theory]
    [InlineData("queue", "1")]
    [InlineData("stream", "1")]
    [InlineData("queue", "3")]
    [InlineData("stream", "3")]
    public async Task A_handler_that_fails_twice_then_succeeds_is_retried_after_its_backoff_while_other_messages_flow(string pattern, string partitions)
    {
        output.WriteLine($"Server: {server.Description}");
        var name = TestNames.Unique("retry");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = pattern, ["QUEUE"] = name, ["STREAM"] = name, ["PARTITIONS"] = partitions };
        var handler = new RecordingHandler { FailOn = "Message #20", FailTimes = 2 };
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings.With(
            ("RETRY_BACKOFF", "500ms"), ("RETRY_BACKOFF_MAX", "1m"), ("MAX_ATTEMPTS", "3"), ("BATCH_SIZE", "10"), ("STREAM_START", "0")), handler)).StartAndWaitConsumingAsync();
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{Count}"), ("PUBLISH_RATE", "100"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, Count);
        var flaky = expected[19];
        var source = SourceOf(subscriber, pattern);

        await Wait.UntilAsync(() => source.Handled >= Count, $"the {Count} messages are handled, {flaky} on its third attempt", TimeSpan.FromSeconds(60));
        var attempts = handler.Attempts.Where(a => a.Received.Message.Id == flaky).ToList();
        foreach (var attempt in attempts)
        {
            output.WriteLine($"{flaky}: {(attempt.Failed ? "failed" : "handled")} at {attempt.At:HH:mm:ss.fff}");
        }

        Assert.Equal([true, true, false], attempts.Select(a => a.Failed));
        var first = attempts[1].At - attempts[0].At;
        var second = attempts[2].At - attempts[1].At;
        output.WriteLine($"retries after {first.TotalMilliseconds:0} ms and {second.TotalMilliseconds:0} ms (backoff 500 ms doubled, equal jitter)");
        Assert.InRange(first, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500) + Slack);
        Assert.InRange(second, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000) + Slack);

        // Others kept flowing while it waited: at 100 messages/s, dozens were handled between its first and last attempt.
        var meanwhile = handler.Attempts.Count(a => !a.Failed && a.At > attempts[0].At && a.At < attempts[2].At);
        output.WriteLine($"{meanwhile} other messages handled while {flaky} waited");
        Assert.True(meanwhile >= 30, $"only {meanwhile} messages were handled while {flaky} waited for its retries");

        // Exact accounting: every id handled once; two failures, each scheduled for a retry; nothing dead, nothing left.
        Assert.Equal(expected.Order(StringComparer.Ordinal), handler.Ids(Kind(pattern)).Order(StringComparer.Ordinal));
        Assert.Equal((Count + 2L, (long)Count, 2L, 2L, 0L, 0L, 0L), (source.Received, source.Handled, source.Failed, source.Retried, source.DeadLettered, source.Malformed, source.Delayed));
        foreach (var partition in Partitions(subscriber, pattern))
        {
            Assert.Equal(0, await server.Database.SortedSetLengthAsync(KeyNames.Due(partition, pattern == "stream" ? subscriber.Get<PubSubDemo.Shared.Configuration.MessagingSettings>().Group : null)));
            Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(partition)));
        }

        await subscriber.StopAsync();
        var summary = subscriber.Log.Lines.Last(l => l.Contains($"Final summary {pattern}", StringComparison.Ordinal));
        output.WriteLine(summary);
        Assert.Contains("failed 2, dead-lettered 0", summary, StringComparison.Ordinal);
        Assert.Contains("retried 2, delayed 0", summary, StringComparison.Ordinal);
    }

    internal static SourceFigures SourceOf(ServiceHost subscriber, string pattern) =>
        pattern == "queue" ? subscriber.SubscriberStats.Queue : subscriber.SubscriberStats.Stream;

    internal static MessageSource Kind(string pattern) => pattern == "queue" ? MessageSource.Queue : MessageSource.Stream;

    internal static IReadOnlyList<string> Partitions(ServiceHost subscriber, string pattern)
    {
        var messaging = subscriber.Get<PubSubDemo.Shared.Configuration.MessagingSettings>();
        return pattern == "queue" ? messaging.QueuePartitions : messaging.StreamPartitions;
    }
}
