using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Contract;

/// <summary>
/// PARTITIONS' names: partition 0 is the plain name, the others spread evenly over the 16384 slots whatever the
/// count, every derived key of a partition shares its slot, and MESSAGE_KEY's hash is stable.
/// </summary>
public sealed class PartitionTests
{
    public static TheoryData<string> BaseNames => ["message_queue", "message_stream", "orders", "test:queue:0123456789ab", "{orders}:jobs", "ümlaut"];

    /// <summary>Redis Cluster's three-primary layout (redis-cli --cluster create): three even slot ranges.</summary>
    private static readonly (int From, int To)[] ThreePrimaries = [(0, 5460), (5461, 10922), (10923, 16383)];

    [Theory]
    [InlineData("123456789", 0x31C3)]
    [InlineData("foo", 12182)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    public void The_slot_function_agrees_with_CLUSTER_KEYSLOT(string key, int slot) =>
        Assert.Equal(slot & (Partitions.Slots - 1), Partitions.Slot(key));

    [Theory]
    [MemberData(nameof(BaseNames))]
    public void Partition_0_is_the_plain_name_and_the_names_do_not_depend_on_the_count(string name)
    {
        var six = Partitions.Names(name, 6);

        Assert.Equal(name, six[0]);
        Assert.Equal(six[..3], Partitions.Names(name, 3));
        Assert.Equal(six.Length, six.Distinct(StringComparer.Ordinal).Count());
        Assert.All(six.Skip(1), p => Assert.Null(KeyNames.Problem(p)));
    }

    [Theory]
    [MemberData(nameof(BaseNames))]
    public void Every_partition_lies_near_its_target_slot_and_its_derived_keys_share_its_slot(string name)
    {
        var names = Partitions.Names(name, 64);
        var first = Partitions.Slot(name);
        for (var i = 1; i < names.Length; i++)
        {
            var slot = Partitions.Slot(names[i]);
            Assert.InRange(Partitions.Distance(slot, Partitions.Target(first, i)), 0, Partitions.Tolerance);
            string[] derived =
            [
                KeyNames.Processing(names[i], "c"), KeyNames.Heartbeat(names[i], "c"), KeyNames.Consumers(names[i]),
                KeyNames.Due(names[i]), KeyNames.DeadLetters(names[i]), KeyNames.Doorbell(names[i]),
            ];
            Assert.All(derived, key => Assert.Equal(slot, Partitions.Slot(key)));
        }
    }

    [Fact]
    public void A_hash_tagged_name_gets_the_suffix_inside_its_tag()
    {
        var second = Partitions.Name("{orders}:jobs", 1);

        Assert.StartsWith("{orders:p1", second, StringComparison.Ordinal);
        Assert.EndsWith("}:jobs", second, StringComparison.Ordinal);
    }

    /// <summary>
    /// The golden-ratio sequence leaves no gap wider than (1 + φ) / N of the ring for any first N points (three-gap
    /// theorem); each partition may sit <see cref="Partitions.Tolerance"/> slots off its point, on either side of a gap.
    /// </summary>
    [Theory]
    [MemberData(nameof(BaseNames))]
    public void Any_number_of_partitions_spreads_evenly_over_the_slots(string name)
    {
        var all = Partitions.Names(name, 128).Select(Partitions.Slot).ToArray();
        var bound = 1 + ((1 + Math.Sqrt(5)) / 2);
        for (var count = 2; count <= all.Length; count++)
        {
            var slots = all[..count].Order().ToArray();
            var widest = Partitions.Slots - slots[^1] + slots[0];
            for (var i = 1; i < slots.Length; i++)
            {
                widest = Math.Max(widest, slots[i] - slots[i - 1]);
            }

            Assert.True(widest <= (bound * Partitions.Slots / count) + (2 * Partitions.Tolerance), $"{count} partitions of {name} leave a gap of {widest} slots");
        }
    }

    [Theory]
    [MemberData(nameof(BaseNames))]
    public void Six_partitions_reach_every_primary_of_a_three_node_cluster(string name)
    {
        var slots = Partitions.Names(name, 6).Select(Partitions.Slot).ToArray();

        Assert.All(ThreePrimaries, range => Assert.Contains(slots, s => s >= range.From && s <= range.To));
    }

    [Fact]
    public void A_message_key_always_picks_the_same_partition_and_keys_spread_over_all()
    {
        const int count = 6;
        var keys = Enumerable.Range(0, 6000).Select(i => $"sender-{i}").ToList();
        var counts = new int[count];
        foreach (var key in keys)
        {
            var partition = Partitions.ForKey(key, count);
            Assert.Equal(partition, Partitions.ForKey(key, count));
            counts[partition]++;
        }

        // FNV-1a of "a" is 0xe40c292c, the published test vector: the hash is the same in every process and run.
        Assert.Equal((int)(0xe40c292cu % 1000), Partitions.ForKey("a", 1000));
        Assert.All(counts, c => Assert.InRange(c, keys.Count / count * 8 / 10, keys.Count / count * 12 / 10));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1025")]
    [InlineData("many")]
    [InlineData("-3")]
    public void A_bad_PARTITIONS_is_one_error_naming_the_variable(string value)
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("PARTITIONS", value));

        Assert.Equal($"PARTITIONS='{value}' is not valid: use a whole number from 1 to 1024.", Assert.Single(errors));
    }

    [Fact]
    public void PARTITIONS_names_the_queues_and_streams_partitions()
    {
        var (settings, errors) = TestSettings.Load<MessagingSettings>(("PARTITIONS", "4"), ("QUEUE", "jobs"));

        Assert.Empty(errors);
        Assert.Equal(Partitions.Names("jobs", 4), settings.QueuePartitions);
        Assert.Equal(Partitions.Names("message_stream", 4), settings.StreamPartitions);
    }
}
