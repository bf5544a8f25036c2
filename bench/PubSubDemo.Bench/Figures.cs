using System.Text.Json;
using System.Text.Json.Serialization;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Bench;

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
    LatencyFigures? Latency,
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
    IReadOnlyList<TargetCheck> Targets,
    string Cluster,
    IReadOnlyList<RunFigures> ClusterRuns,
    IdleFigures? Idle = null,
    IReadOnlyList<BurstFigures>? Bursts = null,
    IReadOnlyList<ReferenceFigures>? References = null,
    IReadOnlyList<OutboxFigures>? Outbox = null,
    string? OutboxDatabases = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
