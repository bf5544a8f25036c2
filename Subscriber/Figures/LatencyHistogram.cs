using HdrHistogram;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>Percentiles of one latency distribution, in milliseconds.</summary>
internal readonly record struct LatencySummary(long Count, double P50, double P99, double P999, double Max)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0);

    internal static LatencySummary Of(HistogramBase histogram) =>
        histogram.TotalCount == 0
            ? Empty
            : new(histogram.TotalCount,
                  histogram.GetValueAtPercentile(50) / 1000.0,
                  histogram.GetValueAtPercentile(99) / 1000.0,
                  histogram.GetValueAtPercentile(99.9) / 1000.0,
                  histogram.GetMaxValue() / 1000.0);
}

/// <summary>
/// One source's end-to-end latency, in microseconds up to an hour at 3 significant digits. Each handled message is
/// recorded once, into an HdrHistogram <see cref="Recorder"/> (writers serialized by an uncontended lock); readers harvest its intervals
/// into the running total, the summary line's window and the monitor report's window, which the sources share.
/// Nothing is allocated before the first message, so a source that PATTERN leaves out costs no memory.
/// </summary>
internal sealed class LatencyHistogram
{
    private static readonly long HighestTrackableMicros = (long)TimeSpan.FromHours(1).TotalMicroseconds;
    private readonly Lock _gate;

    // Writers take this (uncontended but for a channel list's readers), so the recorder can keep plain histograms:
    // a concurrent one takes a lock per bucket on every read, and each harvest reads all ~23,500 buckets three times
    // (measured: 2.5 ms of CPU a second at 2 msg/s, most of what the once-a-second monitor report cost).
    private readonly Lock _writers = new();
    private readonly HistogramBase _report;
    private Recorder? _recorder;
    private LongHistogram? _total;
    private LongHistogram? _summary;
    private HistogramBase? _spare;

    /// <summary>A histogram on its own, with its own report window.</summary>
    public LatencyHistogram()
        : this(new Lock(), NewWindow())
    {
    }

    /// <summary>One of several sources whose harvests go to one <paramref name="report"/> window, guarded by <paramref name="gate"/>.</summary>
    internal LatencyHistogram(Lock gate, HistogramBase report)
    {
        _gate = gate;
        _report = report;
    }

    public void Record(TimeSpan latency)
    {
        var recorder = Volatile.Read(ref _recorder) ?? Create();
        var micros = Math.Clamp((long)latency.TotalMicroseconds, 0, HighestTrackableMicros);
        lock (_writers)
        {
            recorder.RecordValue(micros);
        }
    }

    /// <summary>Everything recorded since start.</summary>
    public LatencySummary Total()
    {
        lock (_gate)
        {
            Harvest();
            return _total is null ? LatencySummary.Empty : LatencySummary.Of(_total);
        }
    }

    /// <summary>The distribution since the last call, for the periodic summary line.</summary>
    public LatencySummary TakeInterval()
    {
        lock (_gate)
        {
            Harvest();
            if (_summary is null)
            {
                return LatencySummary.Empty;
            }

            var interval = LatencySummary.Of(_summary);
            _summary.Reset();
            return interval;
        }
    }

    /// <summary>A copy of the whole distribution, for the benchmark's percentile plot.</summary>
    public HistogramBase CopyTotal()
    {
        lock (_gate)
        {
            Harvest();
            return _total?.Copy() ?? NewWindow();
        }
    }

    /// <summary>An empty window with the recorder's range and precision.</summary>
    internal static LongHistogram NewWindow() => new(HighestTrackableMicros, 3);

    /// <summary>Moves what the recorder took since the last harvest into the total and both windows; the caller holds the gate.</summary>
    internal void Harvest()
    {
        if (_recorder is not { } recorder)
        {
            return;
        }

        var interval = recorder.GetIntervalHistogram(_spare);
        if (interval.TotalCount > 0)
        {
            _total!.Add(interval);
            _summary!.Add(interval);
            _report.Add(interval);
        }

        // Handed back next time, so the recorder swaps buffers instead of allocating.
        _spare = interval;
    }

    private Recorder Create()
    {
        lock (_gate)
        {
            if (_recorder is null)
            {
                _total = NewWindow();
                _summary = NewWindow();
                Volatile.Write(ref _recorder, HistogramFactory.With64BitBucketSize()
                    .WithValuesUpTo(HighestTrackableMicros)
                    .WithPrecisionOf(3)
                    .WithThreadSafeReads()
                    .Create());
            }

            return _recorder!;
        }
    }
}
