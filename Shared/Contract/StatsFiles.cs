using PubSubDemo.Messaging.Contract;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PubSubDemo.Shared.Contract;

/// <summary>
/// STATS_FILE: what a service writes at shutdown for the benchmark to read. One set of records for the writer
/// (publisher, subscriber) and the reader (bench), so the two cannot drift apart.
/// </summary>
internal static class StatsFiles
{
    public static Task WriteAsync(string path, SubscriberStatsFile file) =>
        WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(file, StatsFileJsonContext.Default.SubscriberStatsFile));

    public static Task WriteAsync(string path, PublisherStatsFile file) =>
        WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(file, StatsFileJsonContext.Default.PublisherStatsFile));

    public static SubscriberStatsFile ReadSubscriber(string path) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(path), StatsFileJsonContext.Default.SubscriberStatsFile) ?? throw new InvalidDataException($"{path} is empty");

    public static PublisherStatsFile ReadPublisher(string path) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(path), StatsFileJsonContext.Default.PublisherStatsFile) ?? throw new InvalidDataException($"{path} is empty");

    private static async Task WriteAsync(string path, byte[] json)
    {
        // Written beside the target and renamed, so a reader never sees half a file.
        var partial = path + ".tmp";
        await File.WriteAllBytesAsync(partial, json);
        File.Move(partial, path, overwrite: true);
    }
}

/// <summary>The subscriber's STATS_FILE: who wrote it, one record per source it used or saw, and what the process cost.</summary>
internal sealed record SubscriberStatsFile(string Service, string Instance, string Pattern, DateTimeOffset WrittenAt, IReadOnlyList<SourceStatsFile> Sources, RuntimeFigures Runtime);

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
    long LatencyWarmupExcluded,
    long SlowDisconnects = 0);

/// <summary>The publisher's figures; the rate counts what was acknowledged after the first batch.</summary>
internal sealed record PublisherStatsFile(
    string Service,
    string Instance,
    string Pattern,
    double? Rate,
    int MessageSize,
    long PayloadBytes,
    long Created,
    long Sent,
    long Retries,
    long Unsent,
    DateTimeOffset? FirstSentAt,
    DateTimeOffset? LastSentAt,
    double Seconds,
    double SentPerSecond,
    RuntimeFigures Runtime);

/// <summary>End-to-end latency in milliseconds.</summary>
internal sealed record LatencyFigures(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs);

/// <summary>One step of the percentile distribution, for the latency plot.</summary>
internal sealed record PercentilePoint(double Percentile, double Ms);

/// <summary>Handled count at a time, in seconds after the first handled message.</summary>
internal sealed record TimelinePoint(double Seconds, long Handled);

/// <summary>What the process cost: CPU time, bytes allocated and garbage collections since it started.</summary>
internal sealed record RuntimeFigures(double CpuSeconds, long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, long PeakWorkingSetBytes, long PeakManagedHeapBytes, long CommittedBytes)
{
    /// <summary><paramref name="peakManagedHeapBytes"/> is sampled by the caller; 0 where nobody samples it.</summary>
    public static RuntimeFigures Now(long peakManagedHeapBytes = 0)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new(process.TotalProcessorTime.TotalSeconds, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            process.PeakWorkingSet64, peakManagedHeapBytes, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SubscriberStatsFile))]
[JsonSerializable(typeof(PublisherStatsFile))]
internal sealed partial class StatsFileJsonContext : JsonSerializerContext;
