using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class FlowSamplerTests
{
    private static readonly DateTimeOffset Second = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_source_keeps_the_first_messages_of_each_second_of_the_publishers_clock()
    {
        var sampler = new FlowSampler(TimeProvider.System);
        for (var i = 0; i < 10; i++)
        {
            sampler.OnHandled(Handled(MessageSource.Channel, At($"c{i}", Second.AddMilliseconds(i * 90)), null));
            sampler.OnHandled(Handled(MessageSource.Queue, At($"q{i}", Second.AddMilliseconds(i * 200)), "trace"));
        }

        var taken = sampler.Take()!;
        Assert.Equal(["c0", "c1"], taken.Where(s => s.Source == "channel").Select(s => s.Id));

        // 0, 200, ..., 1800 ms: two from the first second, two from the next.
        Assert.Equal(["q0", "q1", "q5", "q6"], taken.Where(s => s.Source == "queue").Select(s => s.Id));
        Assert.All(taken.Where(s => s.Source == "queue"), s => Assert.Equal("trace", s.TraceId));
    }

    [Fact]
    public void Two_subscribers_that_see_the_same_messages_in_the_same_order_pick_the_same_ones()
    {
        var first = new FlowSampler(TimeProvider.System);
        var second = new FlowSampler(TimeProvider.System);
        var messages = Enumerable.Range(0, 500).Select(i => At($"m{i}", Second.AddMilliseconds(i * 7))).ToList();
        foreach (var message in messages)
        {
            first.OnHandled(Handled(MessageSource.Channel, message, null));
            second.OnHandled(Handled(MessageSource.Channel, message, null));
        }

        Assert.Equal(first.Take()!.Select(s => s.Id), second.Take()!.Select(s => s.Id));
    }

    [Fact]
    public void A_report_repeats_the_previous_intervals_sample_so_one_missed_rewrite_loses_nothing()
    {
        var sampler = new FlowSampler(TimeProvider.System);
        sampler.OnHandled(Handled(MessageSource.Stream, At("a", Second), null));
        Assert.Equal(["a"], sampler.Take()!.Select(s => s.Id));
        sampler.OnHandled(Handled(MessageSource.Stream, At("b", Second.AddSeconds(1)), null));
        Assert.Equal(["a", "b"], sampler.Take()!.Select(s => s.Id));
        Assert.Equal(["b"], sampler.Take()!.Select(s => s.Id));
        Assert.Null(sampler.Take());
    }

    [Fact]
    public void A_report_carries_at_most_PerReport_samples_of_an_interval()
    {
        var sampler = new FlowSampler(TimeProvider.System);
        for (var i = 0; i < 100; i++)
        {
            sampler.OnHandled(Handled(MessageSource.Channel, At($"m{i}", Second.AddSeconds(i)), null));
        }

        Assert.Equal(FlowSampler.PerReport, sampler.Take()!.Count);
    }

    private static Message At(string id, DateTimeOffset timestamp) => new(id, "content", timestamp, "sender");

    /// <summary>The engine's report of <paramref name="message"/> handled, as the sampler observes it.</summary>
    private static MessageEvent Handled(MessageSource source, Message message, string? traceId) =>
        new(source, "messages", MessageOutcome.Handled, 1, TimeSpan.Zero) { MessageId = message.Id, Sender = message.Sender, SentAt = message.Timestamp, TraceId = traceId };
}
