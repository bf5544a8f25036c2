using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;
using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Subscriber.Stats;

/// <summary>What the subscriber did, per source, as the benchmark reads it from STATS_FILE.</summary>
internal sealed record SubscriberStatsFile(string Service, string Instance, string Pattern, DateTimeOffset WrittenAt, IReadOnlyList<SourceStatsFile> Sources, RuntimeFigures Runtime)
{
    public static SubscriberStatsFile From(SubscriberStats stats, ThroughputSampler sampler, MessagingSettings messaging, DateTimeOffset now, Func<MessageSource, bool> uses) =>
        new("subscriber", messaging.InstanceName, messaging.Pattern.ToString().ToLowerInvariant(), now,
            [.. stats.All.Where(s => s.Active || uses(s.Source)).Select(s => SourceStatsFile.From(s, sampler.For(s.Source)))], RuntimeFigures.Now(sampler.PeakManagedHeapBytes));

    public async Task WriteAsync(string path)
    {
        // Written beside the target and renamed, so a reader never sees half a file.
        var partial = path + ".tmp";
        await File.WriteAllBytesAsync(partial, JsonSerializer.SerializeToUtf8Bytes(this, StatsFileJsonContext.Default.SubscriberStatsFile));
        File.Move(partial, path, overwrite: true);
    }
}

/// <summary>One source's counts, timing and latency distribution (after STATS_WARMUP; LatencyWarmupExcluded says how many were left out).</summary>
internal sealed record SourceStatsFile(
    string Source,
    long Received,
    long Handled,
    long Malformed,
    long Failed,
    long DeadLettered,
    long Dropped,
    long Gaps,
    long Duplicates,
    long Reorders,
    DateTimeOffset? FirstHandledAt,
    DateTimeOffset? LastHandledAt,
    double Seconds,
    double HandledPerSecond,
    LatencyFigures Latency,
    IReadOnlyList<PercentilePoint> Distribution,
    IReadOnlyList<TimelinePoint> Timeline,
    long LatencyWarmupExcluded)
{
    public static SourceStatsFile From(SourceStats source, ThroughputTrack track)
    {
        var histogram = Since(source.Latency.CopyTotal(), track.LatencyAtWarmupEnd);
        var first = track.First?.At;
        return new(source.Name, source.Received, source.Handled, source.Malformed, source.Failed, source.DeadLettered, source.Dropped,
            source.Sequences.Missing, source.Sequences.Duplicates, source.Sequences.Reorders,
            first, track.Last?.At, first is { } from && track.Last is { } last ? (last.At - from).TotalSeconds : 0, track.PerSecond,
            LatencyFigures.From(histogram), PercentilePoint.From(histogram),
            [.. track.Timeline.Select(p => new TimelinePoint(first is { } start ? (p.At - start).TotalSeconds : 0, p.Handled))],
            track.LatencyAtWarmupEnd?.TotalCount ?? 0);
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
}

/// <summary>End-to-end latency in milliseconds.</summary>
internal sealed record LatencyFigures(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static LatencyFigures From(HistogramBase histogram) =>
        histogram.TotalCount == 0
            ? new(0, 0, 0, 0, 0, 0, 0)
            : new(histogram.TotalCount, histogram.GetMean() / 1000, Ms(histogram, 50), Ms(histogram, 90), Ms(histogram, 99), Ms(histogram, 99.9), histogram.GetMaxValue() / 1000.0);

    private static double Ms(HistogramBase histogram, double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;
}

/// <summary>One step of the percentile distribution, for the latency plot.</summary>
internal sealed record PercentilePoint(double Percentile, double Ms)
{
    public static IReadOnlyList<PercentilePoint> From(HistogramBase histogram) =>
        histogram.TotalCount == 0 ? [] : [.. histogram.Percentiles(5).Select(v => new PercentilePoint(v.PercentileLevelIteratedTo, v.ValueIteratedTo / 1000.0))];
}

/// <summary>What the process cost: CPU time, bytes allocated and garbage collections since it started.</summary>
internal sealed record RuntimeFigures(double CpuSeconds, long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, long PeakWorkingSetBytes, long PeakManagedHeapBytes, long CommittedBytes)
{
    public static RuntimeFigures Now(long peakManagedHeapBytes)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new(process.TotalProcessorTime.TotalSeconds, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            process.PeakWorkingSet64, peakManagedHeapBytes, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }
}

/// <summary>Handled count at a time, in seconds after the first handled message.</summary>
internal sealed record TimelinePoint(double Seconds, long Handled);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SubscriberStatsFile))]
internal sealed partial class StatsFileJsonContext : JsonSerializerContext;
