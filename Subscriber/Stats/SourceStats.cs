namespace PubSubDemo.Subscriber.Stats;

/// <summary>Where a message came from: the words used in log lines and summaries.</summary>
public enum MessageSource
{
    Channel,
    Queue,
    Stream,
}

/// <summary>Counters for one source; thread-safe, read by the summary and the monitor.</summary>
public sealed class SourceStats(MessageSource source)
{
    private long _received;
    private long _handled;
    private long _malformed;
    private long _failed;
    private long _deadLettered;
    private long _dropped;

    public MessageSource Source => source;

    public string Name { get; } = source.ToString().ToLowerInvariant();

    /// <summary>Everything that arrived, well-formed or not.</summary>
    public long Received => Interlocked.Read(ref _received);

    public long Handled => Interlocked.Read(ref _handled);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long Failed => Interlocked.Read(ref _failed);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Channel messages dropped because the in-process buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public LatencyRecorder Latency { get; } = new();

    /// <summary>Gaps, duplicates and reorders per sender; followed on the channel only, where loss is possible.</summary>
    public SequenceTracker Sequences { get; } = new();

    /// <summary>The backlog on the server (queue length, stream lag), refreshed by the summary; -1 when unknown.</summary>
    public long Backlog { get; set; } = -1;

    public bool Active => Received > 0 || Backlog > 0 || Dropped > 0;

    internal void OnReceived() => Interlocked.Increment(ref _received);

    internal void OnHandled() => Interlocked.Increment(ref _handled);

    internal void OnMalformed() => Interlocked.Increment(ref _malformed);

    internal void OnFailed() => Interlocked.Increment(ref _failed);

    internal void OnDeadLettered(int count = 1) => Interlocked.Add(ref _deadLettered, count);

    internal void OnDropped() => Interlocked.Increment(ref _dropped);
}

/// <summary>The subscriber's counters, one set per source.</summary>
public sealed class SubscriberStats
{
    public SourceStats Channel { get; } = new(MessageSource.Channel);

    public SourceStats Queue { get; } = new(MessageSource.Queue);

    public SourceStats Stream { get; } = new(MessageSource.Stream);

    public IEnumerable<SourceStats> All => [Channel, Queue, Stream];

    public SourceStats For(MessageSource source) => source switch
    {
        MessageSource.Channel => Channel,
        MessageSource.Queue => Queue,
        _ => Stream,
    };
}
