using PubSubDemo.Messaging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>
/// Retries and delayed messages on the cluster, on the queue and the stream (a subscriber each), over three partitions: every script and
/// transaction of the due sets touches one slot (the client would refuse anything else), so this passing is the proof
/// that each partition's due set lives in its partition's slot.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RetryAndDelayOnClusterTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private const int Count = 120;

    [Fact]
    public async Task Delayed_messages_wait_for_their_due_time_and_a_failing_one_is_retried_in_every_partition()
    {
        var name = TestNames.Unique("due");
        output.WriteLine(fixture.Description);
        var settings = new Dictionary<string, string?> { ["QUEUE"] = name, ["STREAM"] = $"{name}-s", ["PARTITIONS"] = "3" };
        await using var hosts = new ServiceHostGroup(output);
        var consumers = new List<(MessageSource Source, ServiceHost Host, RecordingHandler Handler)>();
        foreach (var (pattern, source) in new[] { ("queue", MessageSource.Queue), ("stream", MessageSource.Stream) })
        {
            var handler = new RecordingHandler { FailOn = "Message #20", FailTimes = 2 };
            var host = await hosts.Add($"{pattern} subscriber", ServiceHost.Subscriber(fixture.Cluster.Address, settings.With(
                ("PATTERN", pattern), ("RETRY_BACKOFF", "300ms"), ("MAX_ATTEMPTS", "3"), ("BATCH_SIZE", "10"), ("STREAM_START", "0")), handler)).StartAndWaitConsumingAsync();
            consumers.Add((source, host, handler));
        }

        // PATTERN=all: the channel has no subscriber here; the queue and the stream each have theirs.
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(fixture.Cluster.Address, settings.With(("PATTERN", "all"), ("MESSAGE_COUNT", $"{Count}"), ("PUBLISH_RATE", "100"), ("DELAY", "1s"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, Count).Order(StringComparer.Ordinal).ToList();
        foreach (var (source, host, handler) in consumers)
        {
            var sink = host.SubscriberStats.For(source);
            await Wait.UntilAsync(() => sink.Handled >= Count, $"the {Count} messages are handled from the {sink.Name}", TimeSpan.FromSeconds(60));
            var early = handler.Attempts.Where(a => a.At < a.Received.Message.DueAt).ToList();
            Assert.True(early.Count == 0, $"handled before their due time: {string.Join(", ", early.Select(a => a.Received.Message.Id))}");
            output.WriteLine($"{sink.Name}: handled {sink.Handled}, failed {sink.Failed}, retried {sink.Retried}, delayed {sink.Delayed}, lateness p99 {sink.Latency.Total().P99:0.0} ms");
            Assert.Equal(expected, handler.Ids(source).Order(StringComparer.Ordinal));
            Assert.Equal((2L, 2L, (long)Count, 0L), (sink.Failed, sink.Retried, sink.Delayed, sink.DeadLettered));
        }

        var messaging = consumers[0].Host.Get<MessagingSettings>();
        var database = fixture.Cluster.Client.GetDatabase();
        foreach (var key in messaging.QueuePartitions.Select(q => KeyNames.Due(q)).Concat(messaging.StreamPartitions.Select(s => KeyNames.Due(s, messaging.Group))))
        {
            Assert.Equal(0, await database.SortedSetLengthAsync(key));
        }
    }
}
