using System.Text;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Contract;

public sealed class MessageRoundTripTests
{
    private static readonly DateTimeOffset SentAt =
        new DateTimeOffset(2025, 7, 29, 12, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567);

    [Fact]
    public void Written_message_uses_camelCase_names_in_contract_order()
    {
        var json = Encoding.UTF8.GetString(MessageReader.Write(new Message("pub-7", "Message #7", SentAt, "pub", 7)));

        Assert.Equal(
            """{"id":"pub-7","content":"Message #7","timestamp":"2025-07-29T10:30:15.1234567+00:00","sender":"pub","seq":7}""",
            json);
    }

    [Fact]
    public void The_trace_context_is_written_after_the_other_fields_and_read_back()
    {
        const string traceparent = "00-723083c5225e6747bbc3158a96765fdb-ac0ca6ec09b1268f-01";
        var message = new Message("pub-7", "Message #7", SentAt, "pub", 7, traceparent, "vendor=1");
        var json = Encoding.UTF8.GetString(MessageReader.Write(message));

        Assert.EndsWith($$""","seq":7,"traceparent":"{{traceparent}}","tracestate":"vendor=1"}""", json, StringComparison.Ordinal);
        Assert.Equal(message with { Timestamp = SentAt.ToUniversalTime() }, MessageReader.Read(Encoding.UTF8.GetBytes(json)).Message);
    }

    [Fact]
    public void Timestamp_is_written_as_UTC_with_fractional_seconds_and_an_unescaped_plus()
    {
        var json = Encoding.UTF8.GetString(MessageReader.Write(new Message("a", "b", SentAt)));

        Assert.Contains("\"timestamp\":\"2025-07-29T10:30:15.1234567+00:00\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Timestamp_with_whole_seconds_still_has_fractional_digits()
    {
        var json = Encoding.UTF8.GetString(MessageReader.Write(new Message("a", "b", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero))));

        Assert.Contains("\"timestamp\":\"2025-01-02T03:04:05.0000000+00:00\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_without_sender_and_seq_leaves_them_out()
    {
        var json = Encoding.UTF8.GetString(MessageReader.Write(new Message("a", "b", SentAt)));

        Assert.DoesNotContain("sender", json, StringComparison.Ordinal);
        Assert.DoesNotContain("seq", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_survives_write_then_read_unchanged()
    {
        var sent = new Message("pub-42", "Message #42", SentAt, "pub", 42);

        var result = MessageReader.Read(MessageReader.Write(sent));

        Assert.True(result.IsValid, result.Error);
        Assert.Null(result.Error);
        Assert.Equal(sent, result.Message);
        Assert.Equal(SentAt.UtcDateTime, result.Message!.Timestamp.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, result.Message.Timestamp.Offset);
    }

    [Fact]
    public void Content_with_quotes_newlines_and_non_ASCII_survives_a_round_trip()
    {
        var sent = new Message("x-1", "say \"hi\"\nnaïve ✓ 日本 🎉 +1 <tag> & \\", SentAt, "x", 1);

        var result = MessageReader.Read(MessageReader.Write(sent));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(sent.Content, result.Message!.Content);
    }

    [Fact]
    public void Message_without_sender_and_seq_reads_back_with_nulls()
    {
        var result = MessageReader.Read(MessageReader.Write(new Message("a", "b", SentAt)));

        Assert.True(result.IsValid, result.Error);
        Assert.Null(result.Message!.Sender);
        Assert.Null(result.Message.Seq);
    }
}
