using System.Text.Json;
using System.Text.Json.Serialization;

namespace PubSubDemo.Bench;

/// <summary>The subscriber's STATS_FILE (Subscriber/Stats/SubscriberStatsFile.cs), as read here.</summary>
internal sealed record SubscriberFile(string Service, string Instance, string Pattern, IReadOnlyList<SourceFile> Sources, RuntimeFile Runtime);

/// <summary>What a service process cost, from its own runtime: CPU, allocation, collections, managed heap.</summary>
internal sealed record RuntimeFile(double CpuSeconds, long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, long PeakWorkingSetBytes, long PeakManagedHeapBytes);

internal sealed record SourceFile(
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
    Latency Latency,
    IReadOnlyList<PercentilePoint> Distribution,
    IReadOnlyList<TimelinePoint> Timeline,
    long LatencyWarmupExcluded);

/// <summary>End-to-end latency in milliseconds, after warm-up.</summary>
internal sealed record Latency(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs);

internal sealed record PercentilePoint(double Percentile, double Ms);

internal sealed record TimelinePoint(double Seconds, long Handled);

/// <summary>The publisher's STATS_FILE (Publisher/Sending/PublisherStatsFile.cs), as read here.</summary>
internal sealed record PublisherFile(
    string Instance,
    string Pattern,
    double? Rate,
    long PayloadBytes,
    long Created,
    long Sent,
    long Retries,
    long Unsent,
    DateTimeOffset? FirstSentAt,
    DateTimeOffset? LastSentAt,
    double Seconds,
    double SentPerSecond,
    RuntimeFile Runtime);

/// <summary>
/// One process of a run: memory before the load and at its height, how busy it was, and its CPU time per message
/// (a figure that other load on the machine disturbs far less than a rate does; it includes warm-up).
/// </summary>
internal sealed record ProcessFigures(string Role, long RestRssBytes, long PeakRssBytes, double CpuPercent, double CpuMicrosPerMessage, long PeakManagedHeapBytes, long AllocatedBytesPerMessage);

/// <summary>One end-to-end run of the real publisher and subscribers.</summary>
internal sealed record RunFigures(
    string Key,
    string Title,
    string Pattern,
    int Subscribers,
    double Rate,
    double Seconds,
    long Published,
    double PublishedPerSecond,
    double DeliveredPerSecond,
    double DeliveredPerSecondTotal,
    long Handled,
    long Dropped,
    long Gaps,
    long Missing,
    long Extra,
    Latency? Latency,
    IReadOnlyList<PercentilePoint> Distribution,
    IReadOnlyList<ProcessFigures> Processes,
    double RedisCpuPercent,
    double LoadBefore,
    double LoadAfter,
    string? Problem)
{
    /// <summary>Per subscriber for pub/sub (each gets every message), shared by the consumers for queue and stream.</summary>
    public string DeliveredMeaning => Pattern == "pubsub" ? "each subscriber" : "all consumers together";
}

/// <summary>A target from the issue, checked against the run's own figures.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Reached, string Note);

/// <summary>Everything one benchmark run measured; bench/results/latest.json.</summary>
internal sealed record BenchResults(
    DateTimeOffset StartedAt,
    double Minutes,
    string Mode,
    string Machine,
    string Server,
    int PayloadBytes,
    string Payload,
    IReadOnlyList<ServerFigure> ServerFigures,
    IReadOnlyList<RunFigures> Runs,
    IReadOnlyList<TargetCheck> Targets);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(SubscriberFile))]
[JsonSerializable(typeof(PublisherFile))]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext
{
    public static T Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(path), type) ?? throw new InvalidDataException($"{path} is empty");
}
