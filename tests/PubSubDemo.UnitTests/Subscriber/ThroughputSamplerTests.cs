using PubSubDemo.Messaging;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Subscriber.Reporting;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class ThroughputSamplerTests
{
    [Fact]
    public async Task Without_a_timeline_the_sampler_stops_reading_once_the_warm_up_is_cut()
    {
        var (telemetry, time) = (new SubscriberFigures(), new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var sampler = new ThroughputSampler(telemetry, time, TimeSpan.FromSeconds(1), timeline: false);
        using var stop = new CancellationTokenSource();
        var running = sampler.RunAsync(stop.Token);

        // Nothing handled yet: it keeps reading, waiting for the first message.
        Advance(time, TimeSpan.FromSeconds(3));
        Assert.False(running.IsCompleted);

        // Messages flow: the cut is taken at the first reading a second after the first one, and the reading stops.
        var queue = telemetry.For(MessageSource.Queue);
        for (var step = 0; !running.IsCompleted; step++)
        {
            Assert.True(step < 1000, "the sampler still reads 100 s after the first message");
            queue.OnHandled(TimeSpan.FromMilliseconds(1), time.GetUtcNow());
            time.Advance(ThroughputSampler.TimelineStep);
            await Task.Delay(1);
        }

        await running;
        Assert.InRange(queue.Handled, 10, 40);
    }

    [Fact]
    public async Task With_a_timeline_the_sampler_keeps_reading_until_stopped()
    {
        var (telemetry, time) = (new SubscriberFigures(), new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var sampler = new ThroughputSampler(telemetry, time, TimeSpan.FromSeconds(1));
        using var stop = new CancellationTokenSource();
        var running = sampler.RunAsync(stop.Token);
        var queue = telemetry.For(MessageSource.Queue);

        // Well past the warm-up, the timeline still grows with each reading.
        for (var step = 0; step < 50; step++)
        {
            queue.OnHandled(TimeSpan.FromMilliseconds(1), time.GetUtcNow());
            time.Advance(ThroughputSampler.TimelineStep);
            await Task.Delay(1);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (sampler.For(MessageSource.Queue).Timeline.Count < 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(running.IsCompleted);
        Assert.True(sampler.For(MessageSource.Queue).Timeline.Count >= 10, $"timeline of {sampler.For(MessageSource.Queue).Timeline.Count} points after 5 s of messages");

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>One timeline step at a time, so every tick of the sampler's timer fires.</summary>
    private static void Advance(FakeTimeProvider time, TimeSpan by)
    {
        for (var passed = TimeSpan.Zero; passed < by; passed += ThroughputSampler.TimelineStep)
        {
            time.Advance(ThroughputSampler.TimelineStep);
        }
    }
}
