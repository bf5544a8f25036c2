namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// The server-side names derived from QUEUE and STREAM, so the publisher, the subscriber and the tests agree.
/// Every derived key and doorbell starts with the base name in braces (<c>{message_queue}:dead</c>), a Redis Cluster
/// hash tag: it hashes exactly like the plain base name, so a queue and all its keys live in one slot, and each script
/// and transaction touches one slot. The base name itself stays as the user wrote it (a plain
/// <c>RPUSH message_queue …</c> still lands in our queue); a base name that already holds a hash tag is used as it is.
/// </summary>
internal static class KeyNames
{
    /// <summary>A pub/sub channel the publisher rings after a push, so idle consumers wake without polling.</summary>
    public static string Doorbell(string queueOrStream) => $"{Tag(queueOrStream)}:doorbell";

    public static string DeadLetters(string queueOrStream) => $"{Tag(queueOrStream)}:dead";

    public static string Processing(string queue, string consumer) => $"{Tag(queue)}:processing:{consumer}";

    public static string Heartbeat(string queue, string consumer) => $"{Tag(queue)}:heartbeat:{consumer}";

    public static string Consumers(string queue) => $"{Tag(queue)}:consumers";

    /// <summary>
    /// DEDUPE's marker that <paramref name="messageId"/> was handled, in the slot of <paramref name="baseName"/> (a queue or
    /// stream partition, or the channel); <paramref name="scope"/> names who handled it (the stream's group, the channel's
    /// consumer), empty for the queue, whose consumers share one set of markers.
    /// </summary>
    public static string Handled(string baseName, string scope, string messageId) =>
        scope.Length == 0 ? $"{Tag(baseName)}:handled:{messageId}" : $"{Tag(baseName)}:handled:{scope}:{messageId}";

    /// <summary>The prefix of the keys a handler's transactional effects write, in the slot of <paramref name="baseName"/>.</summary>
    public static string Effects(string baseName) => $"{Tag(baseName)}:effects:";

    /// <summary>
    /// The due set: a sorted set of what waits for a retry or a delayed message's due time, scored by due time (Unix ms).
    /// A queue has one (<c>{queue}:due</c>, members "attempts:nonce|payload", the only record of a queue item's attempts);
    /// a stream one per consumer group
    /// (<c>{stream}:due:group</c>, members the pending entry ids), since a retry is one group's business.
    /// </summary>
    public static string Due(string queueOrStream, string? group = null) =>
        group is null ? $"{Tag(queueOrStream)}:due" : $"{Tag(queueOrStream)}:due:{group}";

    /// <summary>The field of a stream entry that holds the JSON message.</summary>
    public const string StreamField = "data";

    /// <summary>
    /// The prefix of every derived name: <c>{name}</c>, or <paramref name="name"/> itself when it already holds a
    /// hash tag (a '{' followed later by a '}' with something between), since the cluster then hashes only that tag.
    /// </summary>
    public static string Tag(string name) => HashTag(name) is not null ? name : $"{{{name}}}";

    /// <summary>
    /// The part of <paramref name="key"/> that Redis Cluster hashes: the text between the first '{' and the first
    /// '}' after it, when that is not empty; null when the whole key is hashed.
    /// </summary>
    public static string? HashTag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        var close = key.IndexOf('}', open + 1);
        return close > open + 1 ? key[(open + 1)..close] : null;
    }

    /// <summary>
    /// Why <paramref name="name"/> cannot be a queue or stream base name, or null when it can. A name with a '}' and
    /// no hash tag (<c>a}b</c>, <c>a{}b</c>) hashes whole, and no braced prefix can hash like it.
    /// </summary>
    public static string? Problem(string name) =>
        HashTag(name) is null && name.Contains('}', StringComparison.Ordinal)
            ? "a name with '}' must hold a hash tag such as {orders}:jobs, so that its derived keys can share its cluster slot"
            : null;
}
