using PubSubDemo.Subscriber.Reporting;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class SummaryLineTests
{
    [Fact]
    public void An_interval_with_nothing_handled_says_so_instead_of_printing_zero_latencies()
    {
        var text = SummaryReporter.IntervalText(LatencySummary.Empty, TimeSpan.FromSeconds(5));

        Assert.Equal("last 5s: nothing handled", text);
        Assert.DoesNotContain("0.000", text);
    }

    [Fact]
    public void An_interval_with_messages_names_its_own_count_beside_its_latency()
    {
        var text = SummaryReporter.IntervalText(new LatencySummary(3, 0.41, 0.7, 0.7, 0.7), TimeSpan.FromMilliseconds(250));

        Assert.Equal("last 250ms: handled 3, latency p50 0.410 ms, p99 0.700 ms, max 0.700 ms", text);
    }
}
