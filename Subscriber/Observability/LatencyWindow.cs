using HdrHistogram;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>
/// Latency since the last report, for the monitor's p50 and p99. Two significant digits (1% resolution) keep it at
/// about 30 KB, against the summary's three-digit histograms; it is emptied on every read.
/// </summary>
internal sealed class LatencyWindow
{
    private static readonly long HighestTrackableMicros = (long)TimeSpan.FromHours(1).TotalMicroseconds;
    private readonly Lock _gate = new();
    private readonly LongHistogram _histogram = new(HighestTrackableMicros, 2);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Clamp((long)latency.TotalMicroseconds, 0, HighestTrackableMicros);
        lock (_gate)
        {
            _histogram.RecordValue(micros);
        }
    }

    /// <summary>p50 and p99 in milliseconds of what was recorded since the last call; null when nothing was.</summary>
    public (double P50, double P99)? Take()
    {
        lock (_gate)
        {
            if (_histogram.TotalCount == 0)
            {
                return null;
            }

            var result = (_histogram.GetValueAtPercentile(50) / 1000.0, _histogram.GetValueAtPercentile(99) / 1000.0);
            _histogram.Reset();
            return result;
        }
    }
}
