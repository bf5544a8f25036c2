using PubSubDemo.Messaging;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Subscriber;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Telemetry;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class MessageProcessorTests
{
    private static readonly DateTimeOffset Now = new(2025, 7, 29, 10, 30, 15, 373, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly SubscriberFigures _stats = new();
    private readonly RecordingHandler _handler = new();

    private MessageProcessor Processor(int maxMessageBytes = MessageReader.DefaultMaxBytes) => new(
        new MessagingSettings { MaxMessageBytes = maxMessageBytes, InstanceName = "sub" },
        new SubscriberSettings { LogMessages = true },
        new SubscriberTelemetry(_stats),
        _handler,
        _time,
        NullLogger<MessageProcessor>.Instance);

    private static byte[] Payload(Message message) => MessageReader.Write(message);

    [Fact]
    public void Latency_is_now_minus_the_publisher_timestamp()
    {
        var latency = Processor().Latency(new Message("a", "b", Now.AddMilliseconds(-250)));

        Assert.Equal(TimeSpan.FromMilliseconds(250), latency);
    }

    [Fact]
    public void Latency_follows_the_clock()
    {
        var processor = Processor();
        var message = new Message("a", "b", Now);

        _time.Advance(TimeSpan.FromMilliseconds(42));

        Assert.Equal(TimeSpan.FromMilliseconds(42), processor.Latency(message));
    }

    [Fact]
    public void Latency_of_a_timestamp_with_an_offset_is_measured_between_instants()
    {
        var sentInParis = new DateTimeOffset(2025, 7, 29, 12, 30, 15, 123, TimeSpan.FromHours(2));

        Assert.Equal(TimeSpan.FromMilliseconds(250), Processor().Latency(new Message("a", "b", sentInParis)));
    }

    [Fact]
    public void Timestamp_from_the_future_counts_as_zero_latency()
    {
        Assert.Equal(TimeSpan.Zero, Processor().Latency(new Message("a", "b", Now.AddSeconds(3))));
    }

    [Fact]
    public async Task Seed_002_message_without_offset_gets_its_latency_measured_against_UTC()
    {
        var payload = """{"id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2025-07-29T10:30:15.123","message":"Hello from Python #42","sender":"python-publisher","count":42}"""u8.ToArray();

        var result = await Processor().ProcessAsync(MessageSource.Queue, payload, CancellationToken.None);

        Assert.Equal(Disposition.Handled, result.Disposition);
        Assert.Single(_handler.Received);
        Assert.InRange(_stats.Queue.Latency.Total().Max, 250, 250 * 1.001);
    }

    [Fact]
    public async Task Latency_is_taken_when_the_handler_has_completed()
    {
        var payload = Payload(new Message("pub-2", "slow", Now.AddMilliseconds(-8), "pub", 1));
        _handler.During = () => _time.Advance(TimeSpan.FromMilliseconds(30));

        await Processor().ProcessAsync(MessageSource.Queue, payload, CancellationToken.None);

        Assert.Equal(1, _stats.Queue.Latency.Total().Count);
        Assert.Equal(38, _stats.Queue.Latency.Total().Max, 1);
    }

    [Fact]
    public async Task Well_formed_message_is_handled_counted_and_its_latency_recorded()
    {
        var payload = Payload(new Message("pub-1", "Message #1", Now.AddMilliseconds(-8), "pub", 1));

        var result = await Processor().ProcessAsync(MessageSource.Queue, payload, CancellationToken.None);

        Assert.Equal(new ProcessResult(Disposition.Handled, null, "pub-1"), result);
        var received = Assert.Single(_handler.Received);
        Assert.Equal(MessageSource.Queue, received.Source);
        Assert.Equal("Message #1", received.Message.Content);
        Assert.Equal((1, 1, 0, 0), (_stats.Queue.Received, _stats.Queue.Handled, _stats.Queue.Malformed, _stats.Queue.Failed));
        Assert.Equal(1, _stats.Queue.Latency.Total().Count);
        Assert.Equal(8, _stats.Queue.Latency.Total().Max, 2);
        Assert.Equal(0, _stats.Channel.Received);
    }

    [Fact]
    public async Task Malformed_payload_is_counted_and_never_reaches_the_handler()
    {
        var result = await Processor().ProcessAsync(MessageSource.Channel, "definitely not json"u8.ToArray(), CancellationToken.None);

        Assert.Equal(Disposition.Malformed, result.Disposition);
        Assert.StartsWith("not a JSON message", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_handler.Received);
        Assert.Equal((1, 0, 1), (_stats.Channel.Received, _stats.Channel.Handled, _stats.Channel.Malformed));
        Assert.Equal(0, _stats.Channel.Latency.Total().Count);
    }

    [Fact]
    public async Task Payload_over_MAX_MESSAGE_BYTES_is_malformed()
    {
        var payload = Payload(new Message("a", new string('x', 500), Now));

        var result = await Processor(maxMessageBytes: 100).ProcessAsync(MessageSource.Stream, payload, CancellationToken.None);

        Assert.Equal(Disposition.Malformed, result.Disposition);
        Assert.StartsWith("too large", result.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _stats.Stream.Malformed);
    }

    [Fact]
    public async Task Handler_failure_is_a_Failed_result_not_an_exception()
    {
        _handler.Failure = new InvalidOperationException("boom");

        var result = await Processor().ProcessAsync(MessageSource.Queue, Payload(new Message("pub-3", "c", Now)), CancellationToken.None);

        Assert.Equal(new ProcessResult(Disposition.Failed, "handler failed: boom", "pub-3"), result);
        Assert.Equal((1, 0, 1), (_stats.Queue.Received, _stats.Queue.Handled, _stats.Queue.Failed));
        Assert.Equal(0, _stats.Queue.Latency.Total().Count);
    }

    [Fact]
    public async Task Handler_cancelled_by_shutdown_propagates_the_cancellation()
    {
        using var shutdown = new CancellationTokenSource();
        await shutdown.CancelAsync();
        _handler.Failure = new OperationCanceledException(shutdown.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Processor().ProcessAsync(MessageSource.Queue, Payload(new Message("a", "b", Now)), shutdown.Token).AsTask());
    }

    [Fact]
    public async Task Handler_timing_out_on_its_own_is_a_failure()
    {
        _handler.Failure = new TaskCanceledException("handler timed out");

        var result = await Processor().ProcessAsync(MessageSource.Queue, Payload(new Message("a", "b", Now)), CancellationToken.None);

        Assert.Equal(Disposition.Failed, result.Disposition);
    }

    [Fact]
    public async Task Channel_messages_feed_the_sequence_tracker()
    {
        var processor = Processor();
        foreach (var seq in new long[] { 1, 2, 5, 4, 4 })
        {
            await processor.ProcessAsync(MessageSource.Channel, Payload(new Message($"pub-{seq}", "m", Now, "pub", seq)), CancellationToken.None);
        }

        var sequences = _stats.Channel.Sequences;
        Assert.Equal((1, 1, 1), (sequences.Missing, sequences.Duplicates, sequences.Reorders));
    }

    [Fact]
    public async Task Queue_messages_are_not_sequence_tracked()
    {
        var processor = Processor();
        foreach (var seq in new long[] { 1, 5, 5 })
        {
            await processor.ProcessAsync(MessageSource.Queue, Payload(new Message($"pub-{seq}", "m", Now, "pub", seq)), CancellationToken.None);
        }

        Assert.Equal(0, _stats.Queue.Sequences.Senders);
        Assert.Equal(0, _stats.Channel.Sequences.Senders);
    }

    [Fact]
    public async Task Channel_message_without_sender_or_seq_is_handled_without_tracking()
    {
        var result = await Processor().ProcessAsync(
            MessageSource.Channel,
            """{"id":"msg-123","content":"This is message #123","timestamp":"2023-04-18T12:34:56.789Z"}"""u8.ToArray(),
            CancellationToken.None);

        Assert.Equal(Disposition.Handled, result.Disposition);
        Assert.Equal(0, _stats.Channel.Sequences.Senders);
    }

    private sealed class RecordingHandler : IMessageHandler
    {
        public List<ReceivedMessage> Received { get; } = [];

        public Exception? Failure { get; set; }

        /// <summary>What the handler's work does meanwhile, such as letting time pass.</summary>
        public Action? During { get; set; }

        public ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            During?.Invoke();
            if (Failure is not null)
            {
                return ValueTask.FromException(Failure);
            }

            Received.Add(message);
            return ValueTask.CompletedTask;
        }
    }
}
