using System.Globalization;
using System.Text;

namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// The names of a partitioned queue or stream (PARTITIONS), and the hash that keeps one MESSAGE_KEY in one partition.
/// Partition 0 is the base name itself (a plain <c>RPUSH message_queue …</c> still lands in partition 0). Partition i
/// is <c>message_queue:p&lt;i&gt;</c>, with a <c>.&lt;k&gt;</c> suffix chosen so that its Redis Cluster slot lies within
/// <see cref="Tolerance"/> slots of a target: partition 0's slot plus i times the golden ratio's fraction of the 16384
/// slots. That sequence spreads any first N partitions evenly (three-gap theorem: no gap is more than about 2.6 times
/// 16384/N), and a partition's name does not depend on N, so services that disagree on PARTITIONS still agree on
/// the names they share. Every derived key of a partition uses the partition's name as its base (<see cref="KeyNames"/>),
/// so it shares the partition's slot. A base name that holds a hash tag gets the suffix inside the tag.
/// </summary>
internal static class Partitions
{
    public const int Max = 1024;

    public const int Slots = 16384;

    /// <summary>How far (in slots) a partition's slot may lie from its target: narrow enough to keep the spread even, wide enough to find a name in a few hundred tries.</summary>
    public const int Tolerance = 32;

    private static readonly double Step = (Math.Sqrt(5) - 1) / 2;

    /// <summary>The names of partitions 0 .. <paramref name="count"/>-1 of <paramref name="name"/>.</summary>
    public static string[] Names(string name, int count)
    {
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = Name(name, i);
        }

        return names;
    }

    /// <summary>The name of partition <paramref name="index"/> of <paramref name="name"/>; the same whatever PARTITIONS is.</summary>
    public static string Name(string name, int index)
    {
        if (index == 0)
        {
            return name;
        }

        var target = Target(Slot(name), index);
        for (var k = 0; ; k++)
        {
            var suffix = k == 0 ? $":p{index}" : string.Create(CultureInfo.InvariantCulture, $":p{index}.{k}");
            var candidate = WithSuffix(name, suffix);
            if (Distance(Slot(candidate), target) <= Tolerance)
            {
                return candidate;
            }
        }
    }

    /// <summary>The slot partition <paramref name="index"/> aims at, given partition 0's slot.</summary>
    public static int Target(int firstSlot, int index) =>
        (firstSlot + (int)Math.Round(index * Step % 1 * Slots)) % Slots;

    /// <summary>How many slots apart two slots are, around the ring.</summary>
    public static int Distance(int a, int b)
    {
        var d = Math.Abs(a - b);
        return Math.Min(d, Slots - d);
    }

    /// <summary>
    /// The partition of a message whose MESSAGE_KEY value is <paramref name="key"/>: FNV-1a over its UTF-8 bytes, the
    /// same in every process and run (string.GetHashCode is randomised per process).
    /// </summary>
    public static int ForKey(string key, int count)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }

    /// <summary>Redis Cluster's slot of <paramref name="key"/>: CRC16/XMODEM of its hash tag (or of the whole key), mod 16384.</summary>
    public static int Slot(string key)
    {
        var crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(KeyNames.HashTag(key) ?? key))
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }

        return crc & (Slots - 1);
    }

    /// <summary>The suffix goes inside the hash tag when there is one (<c>{orders:p1}:jobs</c>), else at the end.</summary>
    private static string WithSuffix(string name, string suffix)
    {
        if (KeyNames.HashTag(name) is not { } tag)
        {
            return name + suffix;
        }

        var close = name.IndexOf('{', StringComparison.Ordinal) + 1 + tag.Length;
        return string.Concat(name.AsSpan(0, close), suffix, name.AsSpan(close));
    }
}
