using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// Writes RFC 3339 UTC timestamps with fractional seconds and an offset; reads any ISO 8601 form and
/// takes a timestamp without an offset (seed 002's Python client) as UTC rather than local time.
/// </summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const string WireFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("timestamp must be a string");
        }

        if (!reader.ValueIsEscaped && reader.TryGetDateTimeOffset(out var value))
        {
            // Utf8JsonReader reads a missing offset as local time; seed 002 means UTC.
            return HasOffset(reader.ValueSpan) ? value : new DateTimeOffset(value.DateTime, TimeSpan.Zero);
        }

        // Escaped text (\u002B for '+', as .NET's default encoder writes it) or a looser ISO 8601 form.
        var text = reader.GetString();
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return value;
        }

        throw new JsonException("timestamp is not an ISO 8601 date and time");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        // Written raw so the offset's '+' stays readable instead of the default encoder's \u002B.
        Span<byte> buffer = stackalloc byte[48];
        buffer[0] = (byte)'"';
        value.ToUniversalTime().TryFormat(buffer[1..], out var written, WireFormat, CultureInfo.InvariantCulture);
        buffer[written + 1] = (byte)'"';
        writer.WriteRawValue(buffer[..(written + 2)], skipInputValidation: true);
    }

    private static bool HasOffset(ReadOnlySpan<byte> text)
    {
        var timeStart = text.IndexOf((byte)'T');
        if (timeStart < 0)
        {
            return false;
        }

        var time = text[timeStart..];
        return time.EndsWith("Z"u8) || time.EndsWith("z"u8) || time.IndexOfAny((byte)'+', (byte)'-') >= 0;
    }
}
