using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PubSubDemo.Messaging.Contract;

/// <summary>The outcome of reading one payload: a message, or the reason it is malformed.</summary>
internal readonly record struct ReadResult(Message? Message, string? Error)
{
    public bool IsValid => Message is not null;
}

/// <summary>
/// The tolerant reader: accepts our format and the seed projects' formats, and turns anything else
/// (not JSON, wrong shape, too large) into a reason instead of an exception.
/// </summary>
internal static class MessageReader
{
    public const int DefaultMaxBytes = 1024 * 1024;

    /// <summary>
    /// Reads one payload. <paramref name="contentRequired"/> is the demo's contract (seed 000's <c>content</c>, seed 002's
    /// <c>message</c>); a typed message carries its own fields instead, and reads with an empty content.
    /// </summary>
    public static ReadResult Read(ReadOnlySpan<byte> payload, int maxBytes = DefaultMaxBytes, bool contentRequired = true)
    {
        if (payload.Length > maxBytes)
        {
            return new(null, $"too large: {payload.Length} bytes, limit {maxBytes}");
        }

        // A byte-order mark is allowed before UTF-8 JSON (RFC 8259 lets readers ignore it); some writers add one.
        if (payload.StartsWith("\uFEFF"u8))
        {
            payload = payload[3..];
        }

        if (payload.IsEmpty)
        {
            return new(null, "empty payload");
        }

        // Checked up front: bytes that are not UTF-8 in a field we skip would otherwise pass unseen, and in a
        // string we read they would reach the handler as replacement characters.
        if (!Utf8.IsValid(payload))
        {
            return new(null, "not valid UTF-8");
        }

        IncomingMessage? incoming;
        try
        {
            incoming = JsonSerializer.Deserialize(payload, MessageJsonContext.Default.IncomingMessage);
        }
        catch (JsonException ex)
        {
            return new(null, $"not a JSON message: {FirstLine(ex.Message)}");
        }

        if (incoming is null)
        {
            return new(null, "not a JSON object");
        }

        var content = incoming.Content ?? incoming.Message;
        if (string.IsNullOrEmpty(incoming.Id))
        {
            return new(null, "missing \"id\"");
        }

        if (incoming.Timestamp is not { } timestamp)
        {
            return new(null, "missing \"timestamp\"");
        }

        if (content is null && !contentRequired)
        {
            content = "";
        }

        if (content is null)
        {
            return new(null, "missing \"content\" (or seed 002's \"message\")");
        }

        return new(new Message(incoming.Id, content, timestamp, incoming.Sender, incoming.Seq ?? incoming.Count, incoming.Traceparent, incoming.Tracestate, incoming.NotBefore), null);
    }

    public static byte[] Write(Message message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, MessageJsonContext.Default.Message);

    public static byte[] Write(DeadLetter deadLetter) =>
        JsonSerializer.SerializeToUtf8Bytes(deadLetter, MessageJsonContext.Default.DeadLetter);

    public static DeadLetter? ReadDeadLetter(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize(payload, MessageJsonContext.Default.DeadLetter);

    /// <summary>A short, printable excerpt of a payload for a log line.</summary>
    public static string Excerpt(ReadOnlySpan<byte> payload, int maxChars = 80)
    {
        var slice = payload.Length > maxChars * 4 ? payload[..(maxChars * 4)] : payload;
        var text = Encoding.UTF8.GetString(slice);
        var builder = new StringBuilder(Math.Min(text.Length, maxChars) + 1);
        foreach (var c in text)
        {
            if (builder.Length >= maxChars)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) || c == '\uFEFF' ? '·' : c);
        }

        return builder.ToString();
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
