using System.Text;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Contract;

public sealed class TolerantReaderTests
{
    private const string Seed000 = """{"id":"msg-123","content":"This is message #123","timestamp":"2023-04-18T12:34:56.789Z"}""";

    private const string Seed002 = """{"id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2025-07-29T10:30:15.123456","message":"Hello from Python #42","sender":"python-publisher","count":42}""";

    private static ReadResult Read(string json, int maxBytes = MessageReader.DefaultMaxBytes) =>
        MessageReader.Read(Encoding.UTF8.GetBytes(json), maxBytes);

    [Fact]
    public void Seed_000_message_is_read_with_its_UTC_timestamp()
    {
        var result = Read(Seed000);

        Assert.True(result.IsValid, result.Error);
        var message = result.Message!;
        Assert.Equal("msg-123", message.Id);
        Assert.Equal("This is message #123", message.Content);
        Assert.Equal(new DateTimeOffset(2023, 4, 18, 12, 34, 56, 789, TimeSpan.Zero), message.Timestamp);
        Assert.Equal(TimeSpan.Zero, message.Timestamp.Offset);
        Assert.Null(message.Sender);
        Assert.Null(message.Seq);
    }

    [Fact]
    public void Seed_002_message_without_offset_is_read_as_UTC()
    {
        var result = Read(Seed002);

        Assert.True(result.IsValid, result.Error);
        var timestamp = result.Message!.Timestamp;
        Assert.Equal(TimeSpan.Zero, timestamp.Offset);
        Assert.Equal(new DateTime(2025, 7, 29, 10, 30, 15, DateTimeKind.Utc).AddTicks(1_234_560), timestamp.UtcDateTime);
    }

    [Fact]
    public void Seed_002_message_maps_message_to_Content_and_count_to_Seq()
    {
        var result = Read(Seed002);

        Assert.True(result.IsValid, result.Error);
        var message = result.Message!;
        Assert.Equal("550e8400-e29b-41d4-a716-446655440000", message.Id);
        Assert.Equal("Hello from Python #42", message.Content);
        Assert.Equal("python-publisher", message.Sender);
        Assert.Equal(42, message.Seq);
    }

    [Fact]
    public void Content_wins_over_message_and_seq_wins_over_count_when_both_are_present()
    {
        var result = Read("""{"id":"a","timestamp":"2025-01-01T00:00:00Z","content":"ours","message":"theirs","seq":5,"count":9}""");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal("ours", result.Message!.Content);
        Assert.Equal(5, result.Message.Seq);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var result = Read("""{"id":"a","content":"b","timestamp":"2025-01-01T00:00:00Z","priority":"high","nested":{"x":[1,2]}}""");

        Assert.True(result.IsValid, result.Error);
    }

    [Fact]
    public void Empty_content_is_a_valid_message()
    {
        var result = Read("""{"id":"a","content":"","timestamp":"2025-01-01T00:00:00Z"}""");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal("", result.Message!.Content);
    }

    [Theory]
    [InlineData("2025-07-29T12:30:15.123+02:00")]
    [InlineData("2025-07-29T05:30:15.123-05:00")]
    [InlineData("2025-07-29T10:30:15.123Z")]
    [InlineData("2025-07-29T10:30:15.123+00:00")]
    [InlineData("2025-07-29T10:30:15.123")]
    public void Timestamp_with_any_offset_is_read_as_the_same_instant(string timestamp)
    {
        var result = Read($$"""{"id":"a","content":"b","timestamp":"{{timestamp}}"}""");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(new DateTimeOffset(2025, 7, 29, 10, 30, 15, 123, TimeSpan.Zero), result.Message!.Timestamp);
    }

    [Fact]
    public void Timestamp_whose_plus_sign_is_JSON_escaped_keeps_its_offset()
    {
        // "\u002B" is how System.Text.Json's default encoder writes '+' inside a string, so another .NET
        // client that formats the timestamp itself sends this; in JSON it is the same text as "+02:00".
        var result = Read("""{"id":"a","content":"b","timestamp":"2025-07-29T12:30:15.123\u002B02:00"}""");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(new DateTimeOffset(2025, 7, 29, 10, 30, 15, 123, TimeSpan.Zero), result.Message!.Timestamp);
    }

    [Fact]
    public void Timestamp_with_a_space_instead_of_T_is_read_as_UTC()
    {
        var result = Read("""{"id":"a","content":"b","timestamp":"2025-07-29 10:30:15"}""");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(new DateTimeOffset(2025, 7, 29, 10, 30, 15, TimeSpan.Zero), result.Message!.Timestamp);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "this is not json", "not a JSON message" },
        { "{\"id\":\"a\",", "not a JSON message" },
        { "[1,2,3]", "not a JSON message" },
        { "\"just a string\"", "not a JSON message" },
        { "42", "not a JSON message" },
        { "null", "not a JSON object" },
        { """{"content":"b","timestamp":"2025-01-01T00:00:00Z"}""", "missing \"id\"" },
        { """{"id":"","content":"b","timestamp":"2025-01-01T00:00:00Z"}""", "missing \"id\"" },
        { """{"id":"a","content":"b"}""", "missing \"timestamp\"" },
        { """{"id":"a","timestamp":"2025-01-01T00:00:00Z"}""", "missing \"content\"" },
        { """{"id":"a","content":"b","timestamp":"not a date"}""", "not a JSON message" },
        { """{"id":"a","content":"b","timestamp":"2025-13-45T99:00:00Z"}""", "not a JSON message" },
        { """{"id":"a","content":"b","timestamp":1690000000}""", "not a JSON message" },
        { """{"id":42,"content":"b","timestamp":"2025-01-01T00:00:00Z"}""", "not a JSON message" },
        { """{"id":"a","content":"b","timestamp":"2025-01-01T00:00:00Z","seq":"seven"}""", "not a JSON message" },
        { """{"id":"a","content":"b","timestamp":"2025-01-01T00:00:00Z"} trailing""", "not a JSON message" },
        { new string('[', 1000) + new string(']', 1000), "not a JSON message" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_payload_gives_a_reason_instead_of_an_exception(string payload, string reason)
    {
        var result = Read(payload);

        Assert.False(result.IsValid);
        Assert.Null(result.Message);
        Assert.NotNull(result.Error);
        Assert.StartsWith(reason, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error);
    }

    [Fact]
    public void Empty_payload_gives_a_reason()
    {
        var result = MessageReader.Read(ReadOnlySpan<byte>.Empty);

        Assert.False(result.IsValid);
        Assert.Equal("empty payload", result.Error);
    }

    [Fact]
    public void Payload_over_maxBytes_is_refused_before_parsing()
    {
        var payload = Encoding.UTF8.GetBytes($$"""{"id":"a","content":"{{new string('x', 100)}}","timestamp":"2025-01-01T00:00:00Z"}""");

        var result = MessageReader.Read(payload, maxBytes: 64);

        Assert.False(result.IsValid);
        Assert.Equal($"too large: {payload.Length} bytes, limit 64", result.Error);
    }

    [Fact]
    public void Payload_of_exactly_maxBytes_is_read()
    {
        var payload = Encoding.UTF8.GetBytes("""{"id":"a","content":"b","timestamp":"2025-01-01T00:00:00Z"}""");

        var result = MessageReader.Read(payload, maxBytes: payload.Length);

        Assert.True(result.IsValid, result.Error);
    }

    [Fact]
    public void Invalid_UTF8_in_a_string_gives_a_reason_instead_of_an_exception()
    {
        byte[] payload = [.. """{"id":"""u8, (byte)'"', 0xFF, 0xFE, (byte)'"', .. ""","content":"b","timestamp":"2025-01-01T00:00:00Z"}"""u8];

        var result = MessageReader.Read(payload);

        Assert.False(result.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }

    [Fact]
    public void Binary_garbage_gives_a_reason_instead_of_an_exception()
    {
        var payload = new byte[256];
        new Random(1234).NextBytes(payload);

        var result = MessageReader.Read(payload);

        Assert.False(result.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }
}

/// <summary>The local-time trap: seed 002's timestamps have no offset and must not be read in the machine's zone.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class TolerantReaderTimeZoneTests
{
    [Fact]
    public void Seed_002_timestamp_is_read_as_UTC_on_a_machine_whose_local_zone_is_not_UTC()
    {
        var previous = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", "America/New_York");
        TimeZoneInfo.ClearCachedData();
        try
        {
            Assert.NotEqual(TimeSpan.Zero, TimeZoneInfo.Local.GetUtcOffset(new DateTime(2025, 7, 29, 10, 30, 15, DateTimeKind.Utc)));

            var result = MessageReader.Read("""{"id":"a","timestamp":"2025-07-29T10:30:15.123456","message":"m"}"""u8);

            Assert.True(result.IsValid, result.Error);
            Assert.Equal(TimeSpan.Zero, result.Message!.Timestamp.Offset);
            Assert.Equal(new DateTime(2025, 7, 29, 10, 30, 15, DateTimeKind.Utc).AddTicks(1_234_560), result.Message.Timestamp.UtcDateTime);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", previous);
            TimeZoneInfo.ClearCachedData();
        }
    }
}
