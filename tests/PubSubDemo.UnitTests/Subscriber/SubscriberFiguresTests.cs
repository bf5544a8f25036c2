using PubSubDemo.Messaging;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class SubscriberFiguresTests
{
    private static readonly DateTimeOffset Sent = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Outcomes_are_counted_per_source_and_per_channel_and_a_shed_message_counts_as_received_and_dropped()
    {
        var figures = new SubscriberFigures();
        figures.OnMessage(Received("news", 1));
        figures.OnMessage(Handled("news", 1));
        figures.OnMessage(Received("sport", 1) with { Sender = "other" });
        figures.OnMessage(new MessageEvent(MessageSource.Channel, "news,sport", MessageOutcome.Filtered, 1, null) { Channel = "sport" });
        figures.OnMessage(new MessageEvent(MessageSource.Channel, "news,sport", MessageOutcome.Dropped, 1, null) { Channel = "sport" });
        figures.OnMessage(new MessageEvent(MessageSource.Queue, "orders", MessageOutcome.Retried, 3, null));

        Assert.Equal((2L, 1L, 1L, 1L), (figures.Channel.Received, figures.Channel.Handled, figures.Channel.Filtered, figures.Channel.Dropped));
        Assert.Equal(3, figures.Queue.Retried);
        Assert.Equal(
            [("news", 1L, 1L, 0L, 0L), ("sport", 2L, 0L, 1L, 1L)],
            figures.Channels.All.Select(c => (c.Name, c.Received, c.Handled, c.Filtered, c.Dropped)));
        Assert.Equal(1, figures.Channel.Latency.Total().Count);
        Assert.Equal(Sent.AddMilliseconds(2), figures.Channel.LastHandledAt);
    }

    [Fact]
    public void Observing_a_received_and_a_handled_message_allocates_nothing_once_warm()
    {
        var figures = new SubscriberFigures();
        for (var seq = 1; seq <= 100; seq++)
        {
            figures.OnMessage(Received("news", seq));
            figures.OnMessage(Handled("news", seq));
        }

        // Made beforehand: the events' ids are strings the engine already had. Five rounds of 10,000: an allocation per
        // message would show in every round; the runtime's one-off work on this thread (a tier-up) in one round only.
        var received = Enumerable.Range(101, 50_000).Select(seq => Received("news", seq)).ToArray();
        var handled = Enumerable.Range(101, 50_000).Select(seq => Handled("news", seq)).ToArray();
        var rounds = new List<long>();
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = round * 10_000; i < (round + 1) * 10_000; i++)
            {
                figures.OnMessage(in received[i]);
                figures.OnMessage(in handled[i]);
            }

            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Contains(0L, rounds);
        Assert.All(rounds, bytes => Assert.True(bytes < 10_000, $"{bytes} bytes in 10,000 messages: {string.Join(", ", rounds)}"));
        Assert.Equal((50_100L, 0L), (figures.Channel.Handled, figures.Channel.Sequences.Missing));
    }

    private static MessageEvent Received(string channel, long seq) =>
        new(MessageSource.Channel, "news,sport", MessageOutcome.Received, 1, null) { MessageId = $"m{seq}", Sender = "pub", Sequence = seq, SentAt = Sent, Channel = channel };

    private static MessageEvent Handled(string channel, long seq) =>
        Received(channel, seq) with { Outcome = MessageOutcome.Handled, Latency = TimeSpan.FromMilliseconds(2), HandledAt = Sent.AddMilliseconds(2) };
}
