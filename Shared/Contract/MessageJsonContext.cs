using System.Text.Json.Serialization;

namespace PubSubDemo.Shared.Contract;

/// <summary>Source-generated serializers for everything this product puts on the wire.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(IncomingMessage))]
[JsonSerializable(typeof(DeadLetter))]
internal sealed partial class MessageJsonContext : JsonSerializerContext;
