namespace PubSubDemo.Shared.Contract;

/// <summary>
/// The server-side names derived from QUEUE and STREAM, so the publisher, the subscriber and the tests agree.
/// A name in braces would pin every key of a queue to one Redis Cluster slot; DragonFly and a single Redis need none.
/// </summary>
public static class KeyNames
{
    /// <summary>A pub/sub channel the publisher rings after a push, so idle consumers wake without polling.</summary>
    public static string Doorbell(string queueOrStream) => $"{queueOrStream}:doorbell";

    public static string DeadLetters(string queueOrStream) => $"{queueOrStream}:dead";

    public static string Processing(string queue, string consumer) => $"{queue}:processing:{consumer}";

    public static string Heartbeat(string queue, string consumer) => $"{queue}:heartbeat:{consumer}";

    public static string Consumers(string queue) => $"{queue}:consumers";

    public static string Attempts(string queue, string messageId) => $"{queue}:attempts:{messageId}";

    /// <summary>The field of a stream entry that holds the JSON message.</summary>
    public const string StreamField = "data";
}
