using System.Text.Json.Serialization;

namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// The union of every shape the tolerant reader accepts: ours, seed 000's <c>{id, content, timestamp}</c>
/// and seed 002's <c>{id, timestamp, message, sender, count}</c>,
/// with our optional trace context.
/// </summary>
internal sealed class IncomingMessage
{
    public string? Id { get; init; }

    public string? Content { get; init; }

    /// <summary>Seed 002 calls the content <c>message</c>.</summary>
    public string? Message { get; init; }

    [JsonConverter(typeof(UtcTimestampConverter))]
    public DateTimeOffset? Timestamp { get; init; }

    public string? Sender { get; init; }

    public long? Seq { get; init; }

    /// <summary>Seed 002 calls the sequence number <c>count</c>.</summary>
    public long? Count { get; init; }

    /// <summary>The W3C trace context the publisher wrote; absent in the seed formats.</summary>
    public string? Traceparent { get; init; }

    public string? Tracestate { get; init; }

    /// <summary>When the message becomes due (issue 11); absent means due at once.</summary>
    [JsonConverter(typeof(UtcTimestampConverter))]
    public DateTimeOffset? NotBefore { get; init; }
}
