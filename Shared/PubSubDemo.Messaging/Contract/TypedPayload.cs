using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PubSubDemo.Messaging.Contract;

/// <summary>The engine's fields of a typed message, written first in its one flat JSON object.</summary>
internal sealed record Envelope(
    string Id,
    [property: JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset Timestamp,
    string? Traceparent = null,
    string? Tracestate = null,
    [property: JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset? NotBefore = null);

/// <summary>
/// A typed message on the wire is the seeds' format: one flat JSON object, the engine's fields (<c>id</c>,
/// <c>timestamp</c>, <c>notBefore</c>, <c>traceparent</c>) beside the type's own (<c>{"id":…,"timestamp":…,"orderId":…}</c>).
/// The type's JSON is spliced in after the envelope's, so it is serialized once, through its own <see cref="JsonTypeInfo{T}"/>.
/// </summary>
internal static class TypedPayload
{
    /// <summary>The names the engine writes: a message type whose JSON has one of them is refused at registration.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "id", "timestamp", "notBefore", "traceparent", "tracestate", "sender", "seq",
    };

    /// <summary>The first property of <paramref name="info"/>'s JSON that the engine writes itself, or null.</summary>
    public static string? Clash<T>(JsonTypeInfo<T> info) =>
        info.Kind == JsonTypeInfoKind.Object ? info.Properties.Select(p => p.Name).FirstOrDefault(Reserved.Contains) : null;

    /// <summary>Refuses, at registration, a message type whose JSON names a field the engine writes itself.</summary>
    public static void RefuseClash<T>(JsonTypeInfo<T> info)
    {
        if (Clash(info) is { } clash)
        {
            throw new ArgumentException($"{typeof(T).Name} has a JSON property '{clash}', which the engine writes itself beside the message's fields; rename it (e.g. {typeof(T).Name.ToLowerInvariant()}Id)", nameof(info));
        }
    }

    public static byte[] Write<T>(Message envelope, T value, JsonTypeInfo<T> info)
    {
        var head = JsonSerializer.SerializeToUtf8Bytes(
            new Envelope(envelope.Id, envelope.Timestamp, envelope.Traceparent, envelope.Tracestate, envelope.NotBefore),
            MessageJsonContext.Default.Envelope);
        var body = JsonSerializer.SerializeToUtf8Bytes(value, info);
        if (body.Length < 2 || body[0] != (byte)'{')
        {
            throw new ArgumentException($"{typeof(T).Name} must serialize as a JSON object: a message is one flat object", nameof(value));
        }

        // {"id":…,"timestamp":…} + {"orderId":…} → {"id":…,"timestamp":…,"orderId":…}; an empty body adds nothing.
        var empty = body.AsSpan(1).Trim(" \t\r\n"u8).SequenceEqual("}"u8);
        if (empty)
        {
            return head;
        }

        var payload = new byte[head.Length + body.Length - 1];
        head.AsSpan(0, head.Length - 1).CopyTo(payload);
        payload[head.Length - 1] = (byte)',';
        body.AsSpan(1).CopyTo(payload.AsSpan(head.Length));
        return payload;
    }

    /// <summary>Reads the type's fields from a payload; a payload that is not <typeparamref name="T"/> is malformed.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> payload, JsonTypeInfo<T> info)
    {
        try
        {
            return JsonSerializer.Deserialize(payload.Span, info)
                ?? throw new Processing.MalformedMessageException($"not a {typeof(T).Name}: null");
        }
        catch (JsonException ex)
        {
            throw new Processing.MalformedMessageException($"not a {typeof(T).Name}: {ex.Message.Split('\n')[0]}");
        }
    }
}
