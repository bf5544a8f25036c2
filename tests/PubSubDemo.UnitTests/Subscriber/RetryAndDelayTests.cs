using PubSubDemo.Messaging;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Publisher;
using PubSubDemo.Publisher.Generation;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Subscriber;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Retries;
using PubSubDemo.Messaging.Telemetry;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

/// <summary>The pure parts of retries and delayed messages: settings, the backoff, the due schedule, notBefore on the wire.</summary>
public sealed class RetryAndDelayTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Backoff_defaults_are_1s_and_5m_and_delay_defaults_to_none()
    {
        var (subscriber, errors) = TestSettings.Load<SubscriberSettings>();
        var (publisher, publisherErrors) = TestSettings.Load<PublisherSettings>();

        Assert.Empty(errors);
        Assert.Empty(publisherErrors);
        Assert.Equal(TimeSpan.FromSeconds(1), subscriber.RetryBackoff);
        Assert.Equal(TimeSpan.FromMinutes(5), subscriber.RetryBackoffMax);
        Assert.Equal(TimeSpan.Zero, publisher.Delay);
    }

    [Fact]
    public void Backoff_and_delay_are_read_through_the_duration_parser()
    {
        var (subscriber, errors) = TestSettings.Load<SubscriberSettings>(("RETRY_BACKOFF", "250ms"), ("RETRY_BACKOFF_MAX", "00:00:30"));
        var (publisher, publisherErrors) = TestSettings.Load<PublisherSettings>(("DELAY", "5s"));

        Assert.Empty(errors);
        Assert.Empty(publisherErrors);
        Assert.Equal(TimeSpan.FromMilliseconds(250), subscriber.RetryBackoff);
        Assert.Equal(TimeSpan.FromSeconds(30), subscriber.RetryBackoffMax);
        Assert.Equal(TimeSpan.FromSeconds(5), publisher.Delay);
    }

    [Theory]
    [InlineData("RETRY_BACKOFF", "soon", "RETRY_BACKOFF='soon' is not valid")]
    [InlineData("RETRY_BACKOFF", "-1s", "RETRY_BACKOFF='-1s' is not valid")]
    [InlineData("RETRY_BACKOFF_MAX", "forever", "RETRY_BACKOFF_MAX='forever' is not valid")]
    [InlineData("RETRY_BACKOFF", "10m", "RETRY_BACKOFF='10m' is not valid: must be at most RETRY_BACKOFF_MAX (300s)")]
    public void A_bad_backoff_is_one_line_naming_the_variable(string name, string value, string expected)
    {
        var (_, errors) = TestSettings.Load<SubscriberSettings>((name, value));

        Assert.StartsWith(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_backoff_max_below_the_backoff_names_the_max()
    {
        var (_, errors) = TestSettings.Load<SubscriberSettings>(("RETRY_BACKOFF", "2s"), ("RETRY_BACKOFF_MAX", "1s"));

        Assert.StartsWith("RETRY_BACKOFF_MAX='1s' is not valid: must be at least RETRY_BACKOFF (2s)", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("later")]
    [InlineData("-5s")]
    public void A_bad_delay_is_one_line_naming_the_variable(string value)
    {
        var (_, errors) = TestSettings.Load<PublisherSettings>(("DELAY", value));

        Assert.StartsWith($"DELAY='{value}' is not valid", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 500, 1000)]
    [InlineData(2, 1000, 2000)]
    [InlineData(3, 2000, 4000)]
    [InlineData(10, 5000, 10000)]
    [InlineData(1_000_000, 5000, 10000)]
    public void Backoff_doubles_per_attempt_with_equal_jitter_up_to_the_max(long attempts, double fromMs, double toMs)
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 200).Select(_ => RetryBackoff.After(attempts, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), random).TotalMilliseconds).ToList();

        Assert.All(delays, d => Assert.InRange(d, fromMs, toMs));
        Assert.True(delays.Max() - delays.Min() > (toMs - fromMs) / 2, "the jitter does not spread the retries");
    }

    [Fact]
    public void A_zero_backoff_retries_at_once()
    {
        Assert.Equal(TimeSpan.Zero, RetryBackoff.After(3, TimeSpan.Zero, TimeSpan.Zero, new Random(1)));
    }

    [Fact]
    public void The_schedule_looks_when_an_item_is_due_or_the_recheck_has_passed_and_not_in_between()
    {
        var time = new FakeTimeProvider(Now);
        var schedule = new DueSchedule(2, time, TimeSpan.FromSeconds(1));
        var now = schedule.Now;

        Assert.True(schedule.ShouldLook(0, now), "a new schedule knows nothing yet: it looks first");
        schedule.Looked(0, now, null);
        schedule.Looked(1, now, null);
        Assert.False(schedule.ShouldLook(0, now + 999));
        Assert.Equal(TimeSpan.FromSeconds(5), schedule.Until(now, TimeSpan.FromSeconds(5)));

        schedule.Scheduled(1, now + 300);
        Assert.Equal(TimeSpan.FromMilliseconds(300), schedule.Until(now, TimeSpan.FromSeconds(5)));
        Assert.False(schedule.ShouldLook(1, now + 299));
        Assert.True(schedule.ShouldLook(1, now + 300));
        Assert.True(schedule.ShouldLook(0, now + 1000), "past the recheck it looks for what other consumers scheduled");

        schedule.LookSoon();
        Assert.True(schedule.ShouldLook(0, now + 1));
    }

    [Fact]
    public void A_due_time_from_a_script_is_read_and_an_empty_set_is_none()
    {
        Assert.Equal(1772366400123L, DueSchedule.Parse("1772366400123"));
        Assert.Null(DueSchedule.Parse(""));
        Assert.Null(DueSchedule.Parse(null));
    }

    [Fact]
    public void A_due_time_is_scored_in_milliseconds_rounded_up_so_it_is_never_taken_early()
    {
        Assert.Equal(Now.ToUnixTimeMilliseconds(), DueSchedule.Score(Now));
        Assert.Equal(Now.ToUnixTimeMilliseconds() + 1, DueSchedule.Score(Now.AddTicks(1)));
    }

    [Fact]
    public void A_queue_member_keeps_its_payload_verbatim_and_two_copies_apart()
    {
        var payload = Encoding.UTF8.GetBytes("""{"id":"a|b","content":"x"}""");
        var first = (byte[])QueueDueMember.For(2, payload)!;
        var second = (byte[])QueueDueMember.For(2, payload)!;

        Assert.NotEqual(first, second);
        var read = QueueDueMember.Read(first);
        Assert.NotNull(read);
        Assert.Equal(2, read.Value.Attempts);
        Assert.Equal(payload, read.Value.Payload);
    }

    [Fact]
    public void A_queue_item_carries_its_failed_attempts_in_front_and_a_bare_item_is_a_first_delivery()
    {
        var payload = Encoding.UTF8.GetBytes("""{"id":"1:x|y","content":"x"}""");

        var retried = QueueDueMember.Entry(QueueDueMember.For(2, payload));
        var first = QueueDueMember.Entry(payload);

        Assert.Equal((2, 3), (retried.Failures, retried.Attempt));
        Assert.Equal(payload, retried.Payload.ToArray());
        Assert.Equal((0, 1), (first.Failures, first.Attempt));
        Assert.Equal(payload, first.Payload.ToArray());
        Assert.Equal(payload, (byte[])first.Stored!);
    }

    [Fact]
    public void The_publisher_stamps_not_before_only_with_a_delay()
    {
        Assert.Null(new MessageFactory("pub", 0).Create(Now).NotBefore);
        Assert.Equal(Now.AddSeconds(5), new MessageFactory("pub", 0, TimeSpan.FromSeconds(5)).Create(Now).NotBefore);
    }

    [Fact]
    public void Not_before_travels_and_a_message_without_it_is_due_at_once()
    {
        var json = Encoding.UTF8.GetString(MessageReader.Write(new Message("a", "b", Now, NotBefore: Now.AddSeconds(5))));
        Assert.Contains("\"notBefore\":\"2026-03-01T12:00:05.0000000+00:00\"", json, StringComparison.Ordinal);
        Assert.Equal(Now.AddSeconds(5), MessageReader.Read(Encoding.UTF8.GetBytes(json)).Message!.DueAt);

        var plain = MessageReader.Read("""{"id":"a","content":"b","timestamp":"2026-03-01T12:00:00Z"}"""u8).Message!;
        Assert.Null(plain.NotBefore);
        Assert.Equal(Now, plain.DueAt);
        Assert.DoesNotContain("notBefore", Encoding.UTF8.GetString(MessageReader.Write(plain)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_message_not_due_yet_is_deferred_and_its_latency_runs_from_its_due_time()
    {
        var time = new FakeTimeProvider(Now);
        var telemetry = new SubscriberFigures();
        var handler = new CountingHandler();
        var processor = new MessageProcessor(new MessagingSettings { InstanceName = "sub" }, new SubscriberSettings(), new SubscriberTelemetry(telemetry), handler, time, NullLogger<MessageProcessor>.Instance);
        var payload = MessageReader.Write(new Message("a", "b", Now, NotBefore: Now.AddSeconds(5)));

        var early = await processor.ProcessAsync(MessageSource.Queue, payload, CancellationToken.None);
        Assert.Equal((Disposition.Deferred, Now.AddSeconds(5)), (early.Disposition, early.DueAt));
        Assert.Equal(0, handler.Count);

        time.Advance(TimeSpan.FromSeconds(5.25));
        var due = await processor.ProcessAsync(MessageSource.Queue, payload, CancellationToken.None);
        Assert.Equal(Disposition.Handled, due.Disposition);
        Assert.Equal(1, handler.Count);
        // 250 ms late, not 5,250 ms after the timestamp (the histogram keeps three significant digits).
        Assert.InRange(telemetry.Queue.Latency.Total().Max, 249.5, 250.5);
    }

    private sealed class CountingHandler : IMessageHandler
    {
        public int Count { get; private set; }

        public ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            Count++;
            return ValueTask.CompletedTask;
        }
    }
}
