using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;

namespace PubSubDemo.FaultTests.Support;

/// <summary>
/// The two sources that keep what they are given, which the fault tests run alike: the list queue and the stream
/// (with its consumer group). One test names the variant (a theory's "queue" or "stream"); this gives the names,
/// settings and writes that differ.
/// </summary>
internal sealed record DurableSource(string Pattern, MessageSource Source, string Key, string? Group)
{
    public bool IsStream => Source == MessageSource.Stream;

    /// <summary>What one of its messages is called in a test's wait descriptions.</summary>
    public string Items => IsStream ? "entries" : "items";

    public static DurableSource Create(string pattern) => pattern switch
    {
        "queue" => new("queue", MessageSource.Queue, TestNames.Unique("queue"), null),
        "stream" => new("stream", MessageSource.Stream, TestNames.Unique("stream"), Services.Name("group")),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "queue or stream"),
    };

    /// <summary>PATTERN and the key's name (QUEUE or STREAM); with <paramref name="withGroup"/>, the stream's GROUP too; then <paramref name="extra"/>.</summary>
    public Dictionary<string, string?> Settings(bool withGroup, params (string Name, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["PATTERN"] = Pattern, [IsStream ? "STREAM" : "QUEUE"] = Key };
        if (withGroup && Group is not null)
        {
            settings["GROUP"] = Group;
        }

        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }

        return settings;
    }

    /// <summary>Writes <paramref name="payload"/> as another client would: RPUSH to the queue, or XADD with the message field.</summary>
    public Task AddAsync(IDatabase database, RedisValue payload) =>
        IsStream ? database.StreamAddAsync(Key, KeyNames.StreamField, payload) : database.ListRightPushAsync(Key, payload);
}
