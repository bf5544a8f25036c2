using HdrHistogram;

namespace PubSubDemo.OutboxBench;

/// <summary>One distribution in microseconds (up to a minute, 3 significant digits), written from any thread.</summary>
internal sealed class Timings
{
    private const long HighestMicros = 60_000_000;
    private readonly Lock _gate = new();
    private readonly LongHistogram _histogram = new(1, HighestMicros, 3);

    public void Record(TimeSpan value)
    {
        var micros = Math.Clamp((long)value.TotalMicroseconds, 1, HighestMicros);
        lock (_gate)
        {
            _histogram.RecordValue(micros);
        }
    }

    public Percentiles? Summary()
    {
        lock (_gate)
        {
            return _histogram.TotalCount == 0
                ? null
                : new(_histogram.TotalCount, Ms(50), Ms(90), Ms(99), Ms(99.9), _histogram.GetMaxValue() / 1000.0);
        }
    }

    private double Ms(double percentile) => _histogram.GetValueAtPercentile(percentile) / 1000.0;
}
