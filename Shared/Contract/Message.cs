using System.Text.Json.Serialization;

namespace PubSubDemo.Shared.Contract;

/// <summary>
/// The wire contract: <c>{"id","content","timestamp"}</c> as in the seed demos, plus the sender and its
/// sequence number so that a subscriber can tell who sent what and spot gaps.
/// </summary>
public sealed record Message(
    string Id,
    string Content,
    [property: JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset Timestamp,
    string? Sender = null,
    long? Seq = null);
