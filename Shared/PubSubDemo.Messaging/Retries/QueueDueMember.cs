using System.Text;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Retries;

/// <summary>
/// A queue item that came back for another attempt, as its due set and then a processing list hold it:
/// <c>attempts:nonce|payload</c>, the payload verbatim. This prefix is the only place a queue item's attempts are kept: it
/// travels with the item (due set, processing list, back to the due set, or into the dead letter's envelope), so it
/// can neither outlive the item nor be lost with a consumer, and reading it costs no round trip. The count says how
/// often the item failed (0 for a delayed message that never ran); the nonce (32 hex digits) keeps two copies of one
/// payload apart (a sorted set would merge them, LREM would take either). A first delivery, straight from the queue,
/// is the bare payload: the queue itself only ever holds the wire format (<see cref="Consumers.QueueScripts.Return"/>
/// puts an item with a prefix back into the due set, not the queue).
/// </summary>
internal static class QueueDueMember
{
    private const int NonceLength = 32;

    public static RedisValue For(long attempts, ReadOnlyMemory<byte> payload)
    {
        var prefix = Encoding.ASCII.GetBytes($"{attempts}:{Guid.NewGuid():N}|");
        var member = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(member, 0);
        payload.Span.CopyTo(member.AsSpan(prefix.Length));
        return member;
    }

    /// <summary>The attempt count and payload of a member, for tools and tests; null when it is not one of ours.</summary>
    public static (long Attempts, byte[] Payload)? Read(byte[] member) =>
        Split(member) is var (attempts, start) ? (attempts, member[start..]) : null;

    /// <summary>A queue item as a consumer took it: its failed attempts so far and its payload (a bare item: none, and itself).</summary>
    public static QueueEntry Entry(RedisValue stored)
    {
        var bytes = (ReadOnlyMemory<byte>)stored;
        return Split(bytes.Span) is var (attempts, start) ? new(stored, attempts, bytes[start..]) : new(stored, 0, bytes);
    }

    /// <summary>The count and where the payload starts, when <paramref name="member"/> starts with "digits:32 hex digits|".</summary>
    private static (long Attempts, int PayloadStart)? Split(ReadOnlySpan<byte> member)
    {
        var colon = member.IndexOf((byte)':');
        var bar = colon + 1 + NonceLength;
        if (colon < 1 || colon > 18 || member.Length <= bar || member[bar] != (byte)'|')
        {
            return null;
        }

        long attempts = 0;
        foreach (var digit in member[..colon])
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return null;
            }

            attempts = (attempts * 10) + digit - '0';
        }

        foreach (var hex in member[(colon + 1)..bar])
        {
            if (!char.IsAsciiHexDigit((char)hex))
            {
                return null;
            }
        }

        return (attempts, bar + 1);
    }
}

/// <summary>
/// One queue item in a consumer's hands: <paramref name="Stored"/> exactly as the processing list holds it (what LREM
/// removes), <paramref name="Failures"/> how often it failed before, and the message's <paramref name="Payload"/>.
/// </summary>
internal readonly record struct QueueEntry(RedisValue Stored, long Failures, ReadOnlyMemory<byte> Payload)
{
    /// <summary>This delivery's attempt: 1 for a first delivery.</summary>
    public long Attempt => Failures + 1;
}
