using HdrHistogram;

namespace PubSubDemo.Subscriber.Stats;

/// <summary>Percentiles of one latency distribution, in milliseconds.</summary>
public readonly record struct LatencySummary(long Count, double P50, double P99, double P999, double Max)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0);
}

/// <summary>
/// End-to-end latency in an HDR histogram (microsecond resolution, 3 significant digits, up to an hour):
/// constant memory whatever the rate, exact enough for p99.9. Keeps a running total and the current interval.
/// </summary>
public sealed class LatencyRecorder
{
    private static readonly long HighestTrackableMicros = (long)TimeSpan.FromHours(1).TotalMicroseconds;
    private readonly Lock _gate = new();
    private readonly LongHistogram _total = new(HighestTrackableMicros, 3);
    private LongHistogram _interval = new(HighestTrackableMicros, 3);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Clamp((long)latency.TotalMicroseconds, 0, HighestTrackableMicros);
        lock (_gate)
        {
            _total.RecordValue(micros);
            _interval.RecordValue(micros);
        }
    }

    public LatencySummary Total()
    {
        lock (_gate)
        {
            return Summarize(_total);
        }
    }

    /// <summary>The distribution since the last call, for the periodic summary line.</summary>
    public LatencySummary TakeInterval()
    {
        LongHistogram interval;
        lock (_gate)
        {
            interval = _interval;
            _interval = new LongHistogram(HighestTrackableMicros, 3);
        }

        return Summarize(interval);
    }

    /// <summary>A copy of the whole distribution, for the benchmark's percentile plot.</summary>
    public HistogramBase CopyTotal()
    {
        lock (_gate)
        {
            return _total.Copy();
        }
    }

    private static LatencySummary Summarize(HistogramBase histogram) =>
        histogram.TotalCount == 0
            ? LatencySummary.Empty
            : new(histogram.TotalCount,
                  histogram.GetValueAtPercentile(50) / 1000.0,
                  histogram.GetValueAtPercentile(99) / 1000.0,
                  histogram.GetValueAtPercentile(99.9) / 1000.0,
                  histogram.GetMaxValue() / 1000.0);
}
