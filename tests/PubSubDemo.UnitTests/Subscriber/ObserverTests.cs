using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Telemetry;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class ObserverTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_observer_sees_each_outcome_once_with_its_destination_and_the_handled_latency()
    {
        var time = new FakeTimeProvider(Now.AddMilliseconds(40));
        var observer = new RecordingObserver();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var messaging = new MessagingOptions { Queue = "orders", Pattern = Pattern.Queue };
        var telemetry = new SubscriberTelemetry(services.GetRequiredService<IMeterFactory>(), messaging, "orders", [observer]);
        var processor = new MessageProcessor(messaging, new ConsumerOptions { LogMessages = false }, telemetry, new NothingHandler(), time, NullLogger<MessageProcessor>.Instance);

        await processor.ProcessAsync(MessageSource.Queue, MessageReader.Write(new Message("a", "b", Now)), CancellationToken.None);
        await processor.ProcessAsync(MessageSource.Queue, "not json"u8.ToArray(), CancellationToken.None);
        processor.Outcomes.Queue.Report(MessageOutcome.Retried, 3);

        Assert.Equal(
            [
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Received, 1, null) { MessageId = "a", SentAt = Now },
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Handled, 1, TimeSpan.FromMilliseconds(40)) { MessageId = "a", SentAt = Now, HandledAt = Now.AddMilliseconds(40) },
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Received, 1, null),
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Malformed, 1, null),
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Retried, 3, null),
            ],
            observer.Events);
        Assert.Equal(1, telemetry.Queue.Count(MessageOutcome.Handled));
    }

    [Fact]
    public async Task A_channel_delivery_tells_the_observer_its_channel_sender_and_sequence_number()
    {
        var observer = new RecordingObserver();
        var telemetry = new SubscriberTelemetry(observer);
        var processor = new MessageProcessor(new MessagingOptions(), new ConsumerOptions { LogMessages = false }, telemetry, new NothingHandler(), new FakeTimeProvider(Now), NullLogger<MessageProcessor>.Instance);

        await processor.ProcessAsync(MessageSource.Channel, MessageReader.Write(new Message("a", "b", Now, "pub-1", 7)), CancellationToken.None, channel: "news.sport");
        processor.Dropped(MessageSource.Channel, "news.weather");

        Assert.Equal(
            [
                (MessageOutcome.Received, "a", "pub-1", 7L, "news.sport"),
                (MessageOutcome.Handled, "a", "pub-1", 7L, "news.sport"),
                (MessageOutcome.Dropped, null, null, null, "news.weather"),
            ],
            observer.Events.Select(e => (e.Outcome, e.MessageId, e.Sender, e.Sequence, e.Channel)));
    }

    [Fact]
    public void Each_backlog_reading_reaches_the_observer_for_the_queue_and_the_stream_the_pattern_consumes()
    {
        var observer = new RecordingObserver();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var messaging = new MessagingOptions { Queue = "orders", Stream = "events", Pattern = Pattern.All };
        var telemetry = new SubscriberTelemetry(services.GetRequiredService<IMeterFactory>(), messaging, [observer]);
        telemetry.Server.QueueLength = 5;
        telemetry.Server.QueueDue = 2;
        telemetry.Server.ProcessingLength = 1;
        telemetry.Server.QueueDeadLetters = 0;
        telemetry.Server.StreamLag = 9;

        telemetry.ReportBacklog();

        Assert.Equal(
            [
                new BacklogEvent(MessageSource.Queue, "orders", 5, 2, 1, 0),
                new BacklogEvent(MessageSource.Stream, "events", 9, -1, -1, -1),
            ],
            observer.Backlogs);
    }

    [Fact]
    public void Reporting_an_outcome_to_an_observer_allocates_nothing()
    {
        var observer = new CountingObserver();
        var telemetry = new SubscriberTelemetry(observer);
        var message = new Message("a", "b", Now, "pub", 1);
        for (var i = 0; i < 100; i++)
        {
            telemetry.Channel.Report(MessageOutcome.Received, message: message, channel: "news");
            telemetry.Channel.OnHandled(message, TimeSpan.FromMilliseconds(1), Now, "trace", "news");
        }

        // Five rounds of 10,000: an allocation per message would show in every round (at least 240,000 bytes each); the
        // runtime's own one-off work on this thread (a tier-up of the loop, measured at 32 KB in one CI run) in one round.
        var rounds = new List<long>();
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10_000; i++)
            {
                telemetry.Channel.Report(MessageOutcome.Received, message: message, channel: "news");
                telemetry.Channel.OnHandled(message, TimeSpan.FromMilliseconds(1), Now, "trace", "news");
            }

            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Contains(0L, rounds);
        Assert.All(rounds, bytes => Assert.True(bytes < 10_000, $"{bytes} bytes in 10,000 messages: {string.Join(", ", rounds)}"));
        Assert.Equal((100_200L, 50_100L), (observer.Count, telemetry.Channel.Count(MessageOutcome.Handled)));
    }

    private sealed class CountingObserver : IMessagingObserver
    {
        public long Count { get; private set; }

        public void OnMessage(in MessageEvent message) => Count++;
    }

    private sealed class RecordingObserver : IMessagingObserver
    {
        public List<MessageEvent> Events { get; } = [];

        public List<BacklogEvent> Backlogs { get; } = [];

        public void OnMessage(in MessageEvent message) => Events.Add(message);

        public void OnBacklog(in BacklogEvent backlog) => Backlogs.Add(backlog);
    }

    private sealed class NothingHandler : IMessageHandler
    {
        public ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
