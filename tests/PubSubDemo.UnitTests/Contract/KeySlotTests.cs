using PubSubDemo.Messaging;
using System.Text;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Contract;

/// <summary>
/// Every key and doorbell derived from a queue or stream hashes to the base name's Redis Cluster slot, so scripts and
/// transactions touch one slot. The slot function is Redis Cluster's own: CRC16/XMODEM of the hash tag, mod 16384.
/// </summary>
public sealed class KeySlotTests
{
    public static TheoryData<string> BaseNames => ["message_queue", "message_stream", "orders", "test:queue:0123456789ab", "{orders}:jobs", "jobs{eu}", "a{b", "x{y}z{w}", "ümlaut"];

    [Theory]
    [InlineData("123456789", 0x31C3)]
    public void The_test_CRC16_is_XMODEM(string input, int expected) =>
        Assert.Equal(expected, Crc16(Encoding.UTF8.GetBytes(input)));

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("somekey", 11058)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    public void The_test_slot_function_agrees_with_CLUSTER_KEYSLOT_of_Redis_7(string key, int slot) =>
        Assert.Equal(slot, Slot(key));

    [Theory]
    [MemberData(nameof(BaseNames))]
    public void Every_derived_key_and_doorbell_hashes_to_the_base_names_slot(string name)
    {
        var slot = Slot(name);
        string[] derived =
        [
            KeyNames.Processing(name, "consumer-1"), KeyNames.Heartbeat(name, "consumer-1"), KeyNames.Consumers(name),
            KeyNames.Due(name), KeyNames.Due(name, "group"), KeyNames.DeadLetters(name), KeyNames.Doorbell(name),
            KeyNames.Processing(name, "{other}"),
            KeyNames.Handled(name, "", "sender-42"), KeyNames.Handled(name, "group", "{other}-1"), KeyNames.Effects(name) + "senders",
        ];

        Assert.All(derived, key => Assert.True(Slot(key) == slot, $"{key} is in slot {Slot(key)}, {name} in slot {slot}"));
    }

    [Fact]
    public void A_plain_name_is_braced_and_a_name_with_a_hash_tag_is_kept()
    {
        Assert.Equal("{message_queue}:processing:c1", KeyNames.Processing("message_queue", "c1"));
        Assert.Equal("{message_stream}:dead", KeyNames.DeadLetters("message_stream"));
        Assert.Equal("{orders}:jobs:consumers", KeyNames.Consumers("{orders}:jobs"));
    }

    [Theory]
    [InlineData("a}b")]
    [InlineData("a{}b")]
    public void A_name_that_hashes_whole_but_holds_a_closing_brace_is_refused(string name)
    {
        var (_, errors) = TestSettings.Load<Shared.Configuration.MessagingSettings>(("QUEUE", name));

        Assert.Equal($"QUEUE='{name}' is not valid: {KeyNames.Problem(name)}.", Assert.Single(errors));
    }

    [Fact]
    public void A_glob_CHANNEL_cannot_be_sharded()
    {
        var (_, errors) = TestSettings.Load<Shared.Configuration.MessagingSettings>(("PUBSUB_MODE", "sharded"), ("CHANNEL", "news.*"));

        var error = Assert.Single(errors);
        Assert.StartsWith("PUBSUB_MODE='sharded' is not valid: CHANNEL='news.*' is a glob", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("classic", PubSubMode.Classic)]
    [InlineData("Sharded", PubSubMode.Sharded)]
    public void PUBSUB_MODE_is_read(string value, PubSubMode expected)
    {
        var (settings, errors) = TestSettings.Load<Shared.Configuration.MessagingSettings>(("PUBSUB_MODE", value));

        Assert.Empty(errors);
        Assert.Equal(expected, settings.PubSubMode);
    }

    [Fact]
    public void A_bogus_PUBSUB_MODE_is_one_line_that_names_the_choices()
    {
        var (settings, errors) = TestSettings.Load<Shared.Configuration.MessagingSettings>(("PUBSUB_MODE", "fast"));

        Assert.Equal("PUBSUB_MODE='fast' is not valid: use classic or sharded.", Assert.Single(errors));
        Assert.Equal(PubSubMode.Classic, settings.PubSubMode);
    }

    /// <summary>Redis Cluster's key slot: the hash tag when there is one (first '{', first '}' after it, not empty), else the whole key.</summary>
    private static int Slot(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var open = Array.IndexOf(bytes, (byte)'{');
        if (open >= 0)
        {
            var close = Array.IndexOf(bytes, (byte)'}', open + 1);
            if (close > open + 1)
            {
                bytes = bytes[(open + 1)..close];
            }
        }

        return Crc16(bytes) & 16383;
    }

    private static int Crc16(byte[] bytes)
    {
        var crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b << 8;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }

        return crc & 0xFFFF;
    }
}
