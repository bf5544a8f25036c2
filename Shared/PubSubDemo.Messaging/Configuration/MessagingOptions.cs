using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Messaging.Configuration;

/// <summary>The names both services agree on: channel, queue, stream, and which of them to use.</summary>
internal class MessagingOptions
{
    public static readonly IReadOnlyDictionary<string, Pattern> Patterns = new Dictionary<string, Pattern>
    {
        ["pubsub"] = Pattern.PubSub,
        ["queue"] = Pattern.Queue,
        ["stream"] = Pattern.Stream,
        ["both"] = Pattern.Both,
        ["all"] = Pattern.All,
    };

    public string Channel { get; set; } = "messages";

    public string Queue { get; set; } = "message_queue";

    public string Stream { get; set; } = "message_stream";

    public string Group { get; set; } = "subscribers";

    public Pattern Pattern { get; set; } = Pattern.Both;

    /// <summary>PUBSUB_MODE: classic PUBLISH/SUBSCRIBE or sharded SPUBLISH/SSUBSCRIBE, for CHANNEL and the doorbells.</summary>
    public PubSubMode PubSubMode { get; set; } = PubSubMode.Classic;

    /// <summary>PARTITIONS: how many lists (streams) QUEUE (STREAM) is split into; 1 is the plain name only.</summary>
    public int PartitionCount { get; set; } = 1;

    /// <summary>The names of QUEUE's partitions, partition 0 (QUEUE itself) first (<see cref="Partitions"/>).</summary>
    public IReadOnlyList<string> QueuePartitions => Named(ref _queuePartitions, Queue);

    /// <summary>The names of STREAM's partitions, partition 0 (STREAM itself) first.</summary>
    public IReadOnlyList<string> StreamPartitions => Named(ref _streamPartitions, Stream);

    public int MaxMessageBytes { get; set; } = Contract.MessageReader.DefaultMaxBytes;

    /// <summary>The demo's messages need <c>content</c>; a typed message (the library's API) carries its own fields instead.</summary>
    public bool ContentRequired { get; set; } = true;

    /// <summary>This process's name in logs, keys and the monitor: host name, process id and a random part unless INSTANCE_NAME says otherwise.</summary>
    public string InstanceName { get; set; } = "";

    /// <summary>
    /// The publisher's sender id in message ids: the instance name, plus a random part when INSTANCE_NAME is pinned,
    /// so ids stay unique across restarts and a restarted sender's sequence starts a new series, not duplicates.
    /// </summary>
    public string SenderId { get; set; } = "";

    private string[]? _queuePartitions;
    private string[]? _streamPartitions;

    /// <summary>CHANNEL's entries (<see cref="ChannelList"/>): the subscriber subscribes to each; the publisher sends to the one.</summary>
    public IReadOnlyList<string> Channels => ChannelList.Entries(Channel);

    /// <summary>Whether CHANNEL holds glob characters (in any of its entries), so that the subscriber must subscribe by pattern.</summary>
    public bool ChannelIsPattern => IsGlob(Channel);

    public bool Uses(Pattern pattern) => (Pattern & pattern) != 0;

    public static bool IsGlob(string name) => name.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>The partition names of <paramref name="name"/>, made once (and again if the name or the count changed).</summary>
    private string[] Named(ref string[]? names, string name)
    {
        if (names is null || names.Length != PartitionCount || names[0] != name)
        {
            names = Partitions.Names(name, PartitionCount);
        }

        return names;
    }
}
