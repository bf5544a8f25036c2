using PubSubDemo.Messaging;
using HdrHistogram;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Telemetry;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber.Reporting;

/// <summary>Builds the subscriber's STATS_FILE (the records live in Shared, where the benchmark reads them too).</summary>
internal static class SubscriberStatsFiles
{
    public static SubscriberStatsFile From(SubscriberFigures stats, ThroughputSampler sampler, MessagingSettings messaging, DateTimeOffset now, Func<MessageSource, bool> uses) =>
        new("subscriber", messaging.InstanceName, messaging.Pattern.ToString().ToLowerInvariant(), now,
            [.. stats.All.Where(s => s.Active || uses(s.Source)).Select(s => From(s, sampler.For(s.Source)))], RuntimeFigures.Now(sampler.PeakManagedHeapBytes));

    private static SourceStatsFile From(SourceFigures source, ThroughputTrack track)
    {
        var histogram = Since(source.Latency.CopyTotal(), track.LatencyAtWarmupEnd);
        var first = track.First?.At;
        return new(source.Name, source.Received, source.Handled, source.Malformed, source.Failed, source.DeadLettered, source.Dropped,
            source.Sequences.Missing, source.Sequences.Duplicates, source.Sequences.Reorders,
            first, track.Last?.At, first is { } from && track.Last is { } last ? (last.At - from).TotalSeconds : 0, track.PerSecond,
            Latency(histogram), Distribution(histogram),
            [.. track.Timeline.Select(p => new TimelinePoint(first is { } start ? (p.At - start).TotalSeconds : 0, p.Handled))],
            track.LatencyAtWarmupEnd?.TotalCount ?? 0, source.SlowDisconnects);
    }

    /// <summary>What <paramref name="total"/> recorded after <paramref name="before"/> was copied from it.</summary>
    private static HistogramBase Since(HistogramBase total, HistogramBase? before)
    {
        if (before is null)
        {
            return total;
        }

        var after = new LongHistogram(total.HighestTrackableValue, total.NumberOfSignificantValueDigits);
        foreach (var value in total.RecordedValues())
        {
            var count = value.CountAtValueIteratedTo - before.GetCountAtValue(value.ValueIteratedTo);
            if (count > 0)
            {
                after.RecordValueWithCount(value.ValueIteratedTo, count);
            }
        }

        return after;
    }

    private static LatencyFigures Latency(HistogramBase histogram) =>
        histogram.TotalCount == 0
            ? new(0, 0, 0, 0, 0, 0, 0)
            : new(histogram.TotalCount, histogram.GetMean() / 1000, Ms(histogram, 50), Ms(histogram, 90), Ms(histogram, 99), Ms(histogram, 99.9), histogram.GetMaxValue() / 1000.0);

    private static IReadOnlyList<PercentilePoint> Distribution(HistogramBase histogram) =>
        histogram.TotalCount == 0 ? [] : [.. histogram.Percentiles(5).Select(v => new PercentilePoint(v.PercentileLevelIteratedTo, v.ValueIteratedTo / 1000.0))];

    private static double Ms(HistogramBase histogram, double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;
}
