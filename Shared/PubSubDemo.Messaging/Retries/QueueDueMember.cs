using System.Text;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Retries;

/// <summary>
/// A queue item as its due set holds it: <c>attempts:nonce|payload</c>, the payload verbatim. The attempt count says how
/// often it failed (0 for a delayed message); the nonce keeps two copies of one payload apart (a sorted set would merge
/// them). <see cref="DueScripts.TakeQueue"/> strips everything up to the first '|'.
/// </summary>
internal static class QueueDueMember
{
    public static RedisValue For(long attempts, RedisValue item)
    {
        var prefix = Encoding.ASCII.GetBytes($"{attempts}:{Guid.NewGuid():N}|");
        var payload = (byte[]?)item ?? [];
        var member = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(member, 0);
        payload.CopyTo(member, prefix.Length);
        return member;
    }

    /// <summary>The attempt count and payload of a member, for tools and tests; null when it is not one of ours.</summary>
    public static (long Attempts, byte[] Payload)? Read(byte[] member)
    {
        var bar = Array.IndexOf(member, (byte)'|');
        var colon = Array.IndexOf(member, (byte)':');
        return bar > 0 && colon > 0 && colon < bar && long.TryParse(Encoding.ASCII.GetString(member, 0, colon), out var attempts)
            ? (attempts, member[(bar + 1)..])
            : null;
    }
}
