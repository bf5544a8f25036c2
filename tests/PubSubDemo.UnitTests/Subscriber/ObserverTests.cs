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
        var telemetry = new SubscriberTelemetry(services.GetRequiredService<IMeterFactory>(), messaging, time, "orders", [observer]);
        var processor = new MessageProcessor(messaging, new ConsumerOptions { LogMessages = false }, telemetry, new NothingHandler(), time, NullLogger<MessageProcessor>.Instance);

        await processor.ProcessAsync(MessageSource.Queue, MessageReader.Write(new Message("a", "b", Now)), CancellationToken.None);
        await processor.ProcessAsync(MessageSource.Queue, "not json"u8.ToArray(), CancellationToken.None);
        processor.Retried(MessageSource.Queue, 3);

        Assert.Equal(
            [
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Received, 1, null),
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Handled, 1, TimeSpan.FromMilliseconds(40)),
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Received, 1, null),
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Malformed, 1, null),
                new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Retried, 3, null),
            ],
            observer.Events);
        Assert.Equal(1, telemetry.Queue.Handled);
    }

    private sealed class RecordingObserver : IMessagingObserver
    {
        public List<MessageEvent> Events { get; } = [];

        public void OnMessage(in MessageEvent message) => Events.Add(message);
    }

    private sealed class NothingHandler : IMessageHandler
    {
        public ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
