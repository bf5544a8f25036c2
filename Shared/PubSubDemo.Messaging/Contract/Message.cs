using System.Text.Json.Serialization;

namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// The wire contract: <c>{"id","content","timestamp"}</c> as in the seed demos, plus the sender and its
/// sequence number so that a subscriber can tell who sent what and spot gaps, and the W3C trace context
/// (<c>traceparent</c>, <c>tracestate</c>) when the publisher traced it. Null fields are not written, so a
/// message without a trace is the same JSON as before tracing existed. <c>notBefore</c> (optional, any client may set it)
/// is when the message becomes due: queue and stream consumers do not handle it earlier; without it, it is due at once.
/// </summary>
internal sealed record Message(
    string Id,
    string Content,
    [property: JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset Timestamp,
    string? Sender = null,
    long? Seq = null,
    string? Traceparent = null,
    string? Tracestate = null,
    [property: JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset? NotBefore = null)
{
    /// <summary>When the message may be handled: <see cref="NotBefore"/> when set and later than the timestamp, else the timestamp.</summary>
    [JsonIgnore]
    public DateTimeOffset DueAt => NotBefore is { } due && due > Timestamp ? due : Timestamp;
}
