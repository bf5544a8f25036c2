using System.Text.Json.Serialization;

namespace PubSubDemo.LibraryTests;

/// <summary>An application's own message type: it travels as itself, its fields beside the engine's id and timestamp.</summary>
public sealed record Order(string OrderId, decimal Amount);

/// <summary>One step of a customer's sequence, for the per-key order of partitions.</summary>
public sealed record Step(string Customer, int Number);

/// <summary>A type whose JSON has an <c>id</c>, which the engine writes itself: refused at registration.</summary>
public sealed record WithOwnId(string Id, string Name);

/// <summary>The application's source-generated JSON, camelCase as a web service would write it.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Step))]
[JsonSerializable(typeof(WithOwnId))]
internal sealed partial class TestJson : JsonSerializerContext;
