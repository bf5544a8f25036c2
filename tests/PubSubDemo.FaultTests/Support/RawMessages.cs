using System.Text.Json;

namespace PubSubDemo.FaultTests.Support;

/// <summary>Payloads written by hand, as another client would push them: well-formed, poisoned or malformed.</summary>
internal static class RawMessages
{
    /// <summary>A message in the wire format; <paramref name="padding"/> adds an unknown field of that many bytes, which readers ignore.</summary>
    public static string Json(string id, string content, string sender = "raw", long? seq = null, int padding = 0)
    {
        var fields = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["content"] = content,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["sender"] = sender,
        };
        if (seq is { } s)
        {
            fields["seq"] = s;
        }

        if (padding > 0)
        {
            fields["padding"] = new string('x', padding);
        }

        return JsonSerializer.Serialize(fields);
    }
}
