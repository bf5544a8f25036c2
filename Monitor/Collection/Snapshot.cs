using System.Text.Json.Serialization;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

namespace PubSubDemo.Monitor.Collection;

/// <summary>
/// What the page shows at one moment: every process that reported, the backlog on the server, the chart's newest point,
/// the sampled message flow and the newest dead letters.
/// </summary>
internal sealed record Snapshot(
    DateTimeOffset At,
    string Server,
    double HistorySeconds,
    IReadOnlyList<ProcessView> Processes,
    Backlog Backlog,
    ChartPoint Point,
    IReadOnlyList<FlowMessage> Flow,
    IReadOnlyList<DeadLetterView> DeadLetters);

/// <summary>One process's latest report and how old it is.</summary>
internal sealed record ProcessView(MonitorReport Report, double AgeSeconds);

/// <summary>Queue, processing lists, dead letters and stream lag, read from the server by the monitor itself, summed over the partitions.</summary>
internal sealed record Backlog(
    string Queue,
    long? QueueLength,
    long? Processing,
    long? Consumers,
    long? QueueDeadLetters,
    string Stream,
    string Group,
    long? StreamLength,
    long? StreamLag,
    long? StreamPending,
    long? StreamDeadLetters)
{
    /// <summary>Queue items and stream entries waiting in the due sets (retries, delayed messages), apart from the queue length and the lag.</summary>
    public long? QueueDue { get; init; }

    public long? StreamDue { get; init; }

    /// <summary>With PARTITIONS above 1: each partition's figures (the ones above are their sums).</summary>
    public IReadOnlyList<PartitionBacklog>? Partitions { get; init; }
}

/// <summary>One partition of the queue or the stream: what <see cref="Backlog"/> sums.</summary>
internal sealed record PartitionBacklog(
    string Kind,
    string Name,
    long? Length,
    long? Processing,
    long? Consumers,
    long? DeadLetters,
    long? Lag,
    long? Pending)
{
    /// <summary>What waits in the partition's due set (retries, delayed messages).</summary>
    public long? Due { get; init; }
}

/// <summary>
/// One second of the chart: published and received messages per second summed over the processes, the
/// rate-weighted p50 and the worst p99 of the subscribers. Time in Unix milliseconds, for the browser.
/// </summary>
internal sealed record ChartPoint(long T, double Published, double Received, double? P50Ms, double? P99Ms);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Snapshot))]
[JsonSerializable(typeof(IReadOnlyList<ChartPoint>))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
