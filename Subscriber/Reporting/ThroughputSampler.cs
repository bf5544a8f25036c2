using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber.Reporting;

/// <summary>
/// When each source handled its first and last message (the moments the telemetry keeps, from the clock read the
/// latency takes anyway), and how its count grew, read from the counters every <see cref="TimelineStep"/>. Only runs
/// when STATS_FILE asks for the figures. (It used to read every 5 ms to find the first and last moments: 200 wake-ups
/// a second, as many as the messages of a 200 msg/s run, which the benchmark then counted as the subscriber's CPU.)
/// </summary>
internal sealed class ThroughputSampler(SubscriberFigures stats, TimeProvider time, TimeSpan warmup, bool timeline = true)
{
    /// <summary>Spacing of the timeline points (how often the counters are read), for a steady-state rate that leaves out warm-up and drain.</summary>
    public static readonly TimeSpan TimelineStep = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly Dictionary<MessageSource, Track> _tracks = stats.All.ToDictionary(s => s.Source, _ => new Track());

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimelineStep, time);
        try
        {
            do
            {
                Sample();
            }
            while ((timeline || !WarmupCut()) && await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reads every counter once; also called at shutdown so the last messages are counted.</summary>
    public void Sample()
    {
        var now = time.GetUtcNow();
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        lock (_gate)
        {
            PeakManagedHeapBytes = Math.Max(PeakManagedHeapBytes, heap);
            foreach (var source in stats.All)
            {
                var track = _tracks[source.Source];
                var handled = source.Handled;
                if (handled == track.LastCount)
                {
                    continue;
                }

                if (track.First is null)
                {
                    track.First = new ThroughputPoint(source.FirstHandledAt ?? now, 1);
                }

                if (warmup > TimeSpan.Zero && track.LatencyAtWarmupEnd is null && now - track.First.At >= warmup)
                {
                    track.LatencyAtWarmupEnd = source.Latency.CopyTotal();
                }

                track.Last = new ThroughputPoint(source.LastHandledAt ?? now, handled);
                track.LastCount = handled;
                if (track.Timeline.Count == 0 || now - track.Timeline[^1].At >= TimelineStep)
                {
                    track.Timeline.Add(new ThroughputPoint(now, handled));
                }
            }
        }
    }

    /// <summary>Without a timeline the sampler is done once every source that handled something has its warm-up cut (at once without STATS_WARMUP).</summary>
    private bool WarmupCut()
    {
        if (warmup <= TimeSpan.Zero)
        {
            return true;
        }

        lock (_gate)
        {
            var started = _tracks.Values.Where(t => t.First is not null).ToList();
            return started.Count > 0 && started.All(t => t.LatencyAtWarmupEnd is not null);
        }
    }

    /// <summary>The most the managed heap held at any sample: the share of resident memory that is objects.</summary>
    public long PeakManagedHeapBytes { get; private set; }

    public ThroughputTrack For(MessageSource source)
    {
        lock (_gate)
        {
            var track = _tracks[source];
            var timeline = track.Timeline.ToList();
            if (track.Last is { } last && (timeline.Count == 0 || timeline[^1] != last))
            {
                timeline.Add(last);
            }

            return new ThroughputTrack(track.First, track.Last, timeline, track.LatencyAtWarmupEnd);
        }
    }

    private sealed class Track
    {
        public ThroughputPoint? First { get; set; }

        public ThroughputPoint? Last { get; set; }

        public long LastCount { get; set; }

        public List<ThroughputPoint> Timeline { get; } = [];

        public HdrHistogram.HistogramBase? LatencyAtWarmupEnd { get; set; }
    }
}

/// <summary>The handled count of one source at one moment.</summary>
internal sealed record ThroughputPoint(DateTimeOffset At, long Handled);

/// <summary>First and last sightings of handled messages, the points between, and the latency recorded during warm-up.</summary>
internal sealed record ThroughputTrack(ThroughputPoint? First, ThroughputPoint? Last, IReadOnlyList<ThroughputPoint> Timeline, HdrHistogram.HistogramBase? LatencyAtWarmupEnd)
{
    /// <summary>Messages per second between the first sighting and the last, counting only what was handled after the first.</summary>
    public double PerSecond => First is { } first && Last is { } last && last.At > first.At
        ? (last.Handled - first.Handled) / (last.At - first.At).TotalSeconds
        : 0;
}
