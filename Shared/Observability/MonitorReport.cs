using PubSubDemo.Messaging.Observability;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PubSubDemo.Shared.Observability;

/// <summary>
/// The short-lived key each publisher and subscriber rewrites every second, so the monitor finds every replica
/// with SCAN alone: a process that stops deletes it, one that dies lets it expire.
/// </summary>
internal static class MonitorKeys
{
    public const string Prefix = "pubsubdemo:monitor:";

    public const string Match = Prefix + "*";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Long enough to survive a missed beat or two, short enough that a killed replica leaves the page within seconds.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    public static string For(string instance) => Prefix + instance;
}

/// <summary>What one process says about itself once a second: identity, counts, rate, latency and backlog.</summary>
internal sealed record MonitorReport
{
    public const string PublisherRole = "publisher";
    public const string SubscriberRole = "subscriber";

    /// <summary><see cref="PublisherRole"/> or <see cref="SubscriberRole"/>.</summary>
    public required string Role { get; init; }

    public required string Instance { get; init; }

    /// <summary>PATTERN as the user wrote it: pubsub, queue, stream, both or all.</summary>
    public required string Pattern { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>Messages published (publisher) or handled (subscriber) since start.</summary>
    public long Count { get; init; }

    /// <summary>Messages per second over the last report interval.</summary>
    public double Rate { get; init; }

    /// <summary>End-to-end latency over the last report interval; null for a publisher, or when nothing arrived.</summary>
    public double? P50Ms { get; init; }

    public double? P99Ms { get; init; }

    /// <summary>"ok", "waiting for the server", or what has stalled.</summary>
    public string Status { get; init; } = "ok";

    public long MemoryBytes { get; init; }

    public IReadOnlyList<SourceReport> Sources { get; init; } = [];

    public long? QueueLength { get; init; }

    /// <summary>This subscriber's in-flight queue items.</summary>
    public long? ProcessingLength { get; init; }

    /// <summary>Stream entries not yet delivered to the subscribers' consumer group.</summary>
    public long? StreamLag { get; init; }

    /// <summary>Subscriber: queue items and stream entries waiting in the due sets (retries, delayed messages), apart from the backlog above.</summary>
    public long? QueueDue { get; init; }

    public long? StreamDue { get; init; }

    /// <summary>Publisher: messages created and not yet taken by the server.</summary>
    public long? Buffered { get; init; }

    public long? Retries { get; init; }

    public long? Unsent { get; init; }

    /// <summary>Publisher: how many subscribers the last channel publish reached.</summary>
    public long? Receivers { get; init; }

    /// <summary>Publisher with STREAM_MAXLEN: the stream's length after the last trim.</summary>
    public long? StreamLength { get; init; }

    /// <summary>Publisher with STREAM_MAXLEN: true while a lagging consumer group keeps the stream past the limit.</summary>
    public bool? StreamRetentionHeld { get; init; }

    /// <summary>Subscriber: a sample of the messages handled since the last report, for the monitor's flow table.</summary>
    public IReadOnlyList<FlowSample>? Flow { get; init; }

    /// <summary>Subscriber with pub/sub: the figures per channel (<see cref="ChannelReport"/>).</summary>
    public IReadOnlyList<ChannelReport>? Channels { get; init; }

    /// <summary>A process with a transactional outbox (samples/Orders): its outbox's figures, read from its database.</summary>
    public OutboxReport? Outbox { get; init; }

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, MonitorJsonContext.Default.MonitorReport);

    /// <summary>Reads a report; null for anything that is not one (another writer under the prefix, a newer format).</summary>
    public static MonitorReport? TryRead(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, MonitorJsonContext.Default.MonitorReport);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A subscriber's counts for one source, as the report's JSON names them, and the rate.</summary>
internal sealed record SourceReport(
    string Name,
    long Received,
    long Handled,
    long Malformed,
    long Failed,
    long DeadLettered,
    long Dropped,
    long Gaps,
    double Rate,
    long Lost = 0,
    long Duplicate = 0,
    long Filtered = 0,
    long Retried = 0,
    long Delayed = 0);

/// <summary>A subscriber's figures for one channel of its CHANNEL list (or one a glob matched), and its handled rate.</summary>
internal sealed record ChannelReport(
    string Name,
    long Received,
    long Handled,
    long Filtered,
    long Dropped,
    double Rate);

/// <summary>
/// An outbox as its database shows it: unsent rows (depth) and the oldest one's age, rows sent, rows parked; and, when
/// the process knows them, the business writes the messages were saved with and the effects the consumers applied
/// (the orders scenario: orders saved, stock reserved), whose difference is work in flight or lost.
/// </summary>
internal sealed record OutboxReport(string Name, long Depth, double OldestUnsentAgeSeconds, long Sent, long Parked)
{
    public long? Saved { get; init; }

    public long? Applied { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MonitorReport))]
internal sealed partial class MonitorJsonContext : JsonSerializerContext;
