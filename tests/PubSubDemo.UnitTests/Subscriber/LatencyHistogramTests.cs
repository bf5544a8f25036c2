using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class LatencyHistogramTests
{
    /// <summary>The histogram keeps three significant digits.</summary>
    private static void AssertClose(double expected, double actual) =>
        Assert.InRange(actual, expected * 0.999, expected * 1.001);

    [Fact]
    public void Nothing_recorded_gives_the_empty_summary()
    {
        var recorder = new LatencyHistogram();

        Assert.Equal(LatencySummary.Empty, recorder.Total());
        Assert.Equal(LatencySummary.Empty, recorder.TakeInterval());
    }

    [Fact]
    public void Uniform_latencies_give_the_expected_percentiles_in_milliseconds()
    {
        var recorder = new LatencyHistogram();
        for (var ms = 1; ms <= 1000; ms++)
        {
            recorder.Record(TimeSpan.FromMilliseconds(ms));
        }

        var summary = recorder.Total();

        Assert.Equal(1000, summary.Count);
        AssertClose(500, summary.P50);
        AssertClose(990, summary.P99);
        AssertClose(999, summary.P999);
        AssertClose(1000, summary.Max);
    }

    [Fact]
    public void One_slow_message_shows_in_max_but_not_in_p50_or_p99()
    {
        var recorder = new LatencyHistogram();
        for (var i = 0; i < 999; i++)
        {
            recorder.Record(TimeSpan.FromMilliseconds(2));
        }

        recorder.Record(TimeSpan.FromSeconds(3));
        var summary = recorder.Total();

        AssertClose(2, summary.P50);
        AssertClose(2, summary.P99);
        AssertClose(3000, summary.Max);
    }

    [Fact]
    public void Sub_millisecond_latency_keeps_microsecond_resolution()
    {
        var recorder = new LatencyHistogram();
        recorder.Record(TimeSpan.FromMicroseconds(250));

        var summary = recorder.Total();

        Assert.Equal(0.25, summary.P50);
        Assert.Equal(0.25, summary.Max);
    }

    [Fact]
    public void Percentiles_are_ordered()
    {
        var recorder = new LatencyHistogram();
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            recorder.Record(TimeSpan.FromMicroseconds(random.Next(1, 5_000_000)));
        }

        var summary = recorder.Total();

        Assert.True(summary.P50 <= summary.P99 && summary.P99 <= summary.P999 && summary.P999 <= summary.Max, summary.ToString());
    }

    [Fact]
    public void Interval_starts_afresh_after_each_take_while_the_total_keeps_everything()
    {
        var recorder = new LatencyHistogram();
        recorder.Record(TimeSpan.FromMilliseconds(100));
        recorder.Record(TimeSpan.FromMilliseconds(100));

        var first = recorder.TakeInterval();
        recorder.Record(TimeSpan.FromMilliseconds(5));
        var second = recorder.TakeInterval();
        var third = recorder.TakeInterval();

        Assert.Equal(2, first.Count);
        AssertClose(100, first.Max);
        Assert.Equal(1, second.Count);
        AssertClose(5, second.Max);
        Assert.Equal(LatencySummary.Empty, third);
        Assert.Equal(3, recorder.Total().Count);
        AssertClose(100, recorder.Total().Max);
    }

    [Fact]
    public void Latency_beyond_an_hour_is_counted_as_an_hour()
    {
        var recorder = new LatencyHistogram();
        recorder.Record(TimeSpan.FromDays(2));

        var summary = recorder.Total();

        Assert.Equal(1, summary.Count);
        AssertClose(3_600_000, summary.Max);
    }

    [Fact]
    public void Negative_latency_is_counted_as_zero()
    {
        var recorder = new LatencyHistogram();
        recorder.Record(TimeSpan.FromMilliseconds(-5));

        var summary = recorder.Total();

        Assert.Equal(1, summary.Count);
        Assert.Equal(0, summary.Max);
    }

    [Fact]
    public void Copy_of_the_total_holds_every_value()
    {
        var recorder = new LatencyHistogram();
        recorder.Record(TimeSpan.FromMilliseconds(1));
        recorder.Record(TimeSpan.FromMilliseconds(2));

        Assert.Equal(2, recorder.CopyTotal().TotalCount);
    }
}
