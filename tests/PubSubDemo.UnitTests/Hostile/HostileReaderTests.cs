using System.Text;
using CsCheck;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Hostile;

/// <summary>The tolerant reader under hostile input: it never throws, and every input is read or has a reason.</summary>
public sealed class HostileReaderTests
{
    private static void ReadOrClassify(byte[] payload)
    {
        var result = MessageReader.Read(payload);
        Assert.True(result.IsValid != (result.Error is not null), "exactly one of a message and a reason");
        Assert.False(result.Error is { Length: 0 }, "a reason is never empty");
        _ = MessageReader.Excerpt(payload);
    }

    [Fact]
    public void Random_bytes_are_read_or_classified() => HostilePayloads.RandomBytes.Sample(ReadOrClassify, iter: 5_000);

    [Fact]
    public void Invalid_UTF8_is_malformed_with_a_reason() =>
        HostilePayloads.InvalidUtf8.Sample(payload => Assert.Equal("not valid UTF-8", MessageReader.Read(payload).Error), iter: 500);

    [Fact]
    public void Nesting_up_to_10000_levels_is_read_or_classified() => HostilePayloads.Nesting.Sample(ReadOrClassify, iter: 300);

    [Fact]
    public void Ten_thousand_levels_of_nesting_are_malformed_not_a_stack_overflow()
    {
        var nested = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000)));
        Assert.StartsWith("not a JSON message", MessageReader.Read(nested).Error);
    }

    [Fact]
    public void Huge_and_non_finite_numbers_are_read_or_classified() => HostilePayloads.Numbers.Sample(ReadOrClassify, iter: 1_000);

    [Fact]
    public void A_key_given_twice_is_malformed_because_readers_disagree_on_which_one_counts() =>
        HostilePayloads.DuplicateKeys.Sample(payload => Assert.Contains("Duplicate property", MessageReader.Read(payload).Error), iter: 100);

    [Fact]
    public void Timestamps_out_of_range_or_nonsense_are_read_or_classified() => HostilePayloads.Timestamps.Sample(ReadOrClassify, iter: 2_000);

    [Theory]
    [InlineData("9999-12-31T23:59:59.9999999-14:00")]
    [InlineData("0001-01-01T00:00:00+14:00")]
    [InlineData("10000-01-01T00:00:00Z")]
    [InlineData("2026-02-30T00:00:00Z")]
    public void A_timestamp_no_date_can_hold_is_malformed(string timestamp) =>
        Assert.Contains("timestamp", MessageReader.Read(Encoding.UTF8.GetBytes(HostilePayloads.Good(timestamp: timestamp))).Error);

    [Fact]
    public void A_message_behind_a_byte_order_mark_is_read()
    {
        var result = MessageReader.Read([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(HostilePayloads.Good())]);
        Assert.Equal("m-1", result.Message?.Id);
    }

    [Fact]
    public void Wrong_shapes_are_malformed_with_a_reason() =>
        HostilePayloads.WrongShapes.Sample(payload => Assert.NotNull(MessageReader.Read(payload).Error), iter: 200);

    [Fact]
    public void A_payload_of_exactly_MAX_MESSAGE_BYTES_is_read_and_one_byte_more_is_too_large() =>
        Gen.Int[200, 4096].Sample(max =>
        {
            var exact = Padded(max);
            Assert.Equal(max, exact.Length);
            Assert.True(MessageReader.Read(exact, max).IsValid);
            Assert.StartsWith($"too large: {max + 1} bytes, limit {max}", MessageReader.Read(Padded(max + 1), max).Error);
        }, iter: 200);

    [Fact]
    public void The_default_limit_holds_at_exactly_one_mebibyte()
    {
        Assert.True(MessageReader.Read(Padded(MessageReader.DefaultMaxBytes)).IsValid);
        Assert.NotNull(MessageReader.Read(Padded(MessageReader.DefaultMaxBytes + 1)).Error);
    }

    [Fact]
    public void Everything_mixed_never_throws() => HostilePayloads.Any.Sample(ReadOrClassify, iter: 5_000);

    /// <summary>A valid message of exactly <paramref name="size"/> bytes: its content padded with 'x'.</summary>
    private static byte[] Padded(int size)
    {
        var empty = Encoding.UTF8.GetByteCount(HostilePayloads.Good().Replace("hello", "", StringComparison.Ordinal));
        return Encoding.UTF8.GetBytes(HostilePayloads.Good().Replace("hello", new string('x', size - empty), StringComparison.Ordinal));
    }
}
