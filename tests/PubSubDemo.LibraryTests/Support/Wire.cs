using System.Globalization;
using System.Text.Json;

namespace PubSubDemo.LibraryTests;

/// <summary>
/// What another client sees on the server, written out as the contract states it (docs/library.md, KeyNames): a
/// message is one flat JSON object; a queue's dead letters are the list <c>{queue}:dead</c>; a stream entry's JSON is
/// in its <c>data</c> field.
/// </summary>
internal static class Wire
{
    public const string StreamField = "data";

    /// <summary>The engine's fields a typed message may carry beside its own.</summary>
    private static readonly HashSet<string> EngineFields = ["id", "timestamp", "notBefore", "traceparent", "tracestate"];

    public static string DeadLetters(string queue) => $"{{{queue}}}:dead";

    public static string Due(string queue) => $"{{{queue}}}:due";

    /// <summary>A message as a foreign producer (seed 002, a script) writes it: the engine's fields beside the order's.</summary>
    public static string Order(string id, string orderId, decimal amount) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"id":"{{id}}","timestamp":"{{DateTimeOffset.UtcNow:O}}","orderId":"{{orderId}}","amount":{{amount}}}""");

    /// <summary>Asserts <paramref name="json"/> is one flat object: the id and timestamp beside the order's own fields, nothing nested.</summary>
    public static void AssertFlatOrder(string json, string id, Order order)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        foreach (var property in root.EnumerateObject())
        {
            Assert.True(property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array), $"'{property.Name}' is nested in {json}");
            Assert.True(EngineFields.Contains(property.Name) || property.Name is "orderId" or "amount", $"'{property.Name}' is neither the engine's nor the order's field in {json}");
        }

        Assert.Equal(id, root.GetProperty("id").GetString());
        var timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(order.OrderId, root.GetProperty("orderId").GetString());
        Assert.Equal(order.Amount, root.GetProperty("amount").GetDecimal());
    }
}
