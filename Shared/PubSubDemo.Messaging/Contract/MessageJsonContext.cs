using System.Text.Json.Serialization;

namespace PubSubDemo.Messaging.Contract;

/// <summary>Source-generated serializers for everything this product puts on the wire.</summary>
// AllowDuplicateProperties = false: {"id":"a","id":"b"} is malformed ("Duplicate property"), because readers disagree on which
// one counts, and a dead letter read elsewhere must mean what we read.
[JsonSourceGenerationOptions(
    AllowDuplicateProperties = false,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(IncomingMessage))]
[JsonSerializable(typeof(DeadLetter))]
[JsonSerializable(typeof(Envelope))]
internal sealed partial class MessageJsonContext : JsonSerializerContext;
