namespace PubSubDemo.Messaging.Producing;

/// <summary>Counters the summary line and the monitor read; written by the sender, read from any thread.</summary>
internal sealed class PublisherStats
{
    private long _created;
    private long _sent;
    private long _retries;
    private long _unsent;
    private long _firstSentUtcTicks;
    private long _firstBatchCount;
    private long _lastSentUtcTicks;

    public long Created => Interlocked.Read(ref _created);

    /// <summary>Messages that reached every destination PATTERN names.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Messages given up at shutdown because the server did not come back in time (logged with their ids).</summary>
    public long Unsent => Interlocked.Read(ref _unsent);

    public long LastQueueLength { get; set; } = -1;

    public long LastReceivers { get; set; } = -1;

    /// <summary>Size of the last payload sent, in bytes.</summary>
    public long LastPayloadBytes { get; set; }

    public long Buffered => Created - Sent - Unsent;

    /// <summary>The stream's length after the last STREAM_MAXLEN trim; -1 before one ran.</summary>
    public long LastStreamLength { get; private set; } = -1;

    /// <summary>True while a lagging consumer group keeps the stream past STREAM_MAXLEN.</summary>
    public bool StreamRetentionHeld { get; private set; }

    /// <summary>When the first batch was acknowledged, and how many messages it held; null before.</summary>
    public (DateTimeOffset At, long Count)? FirstSent =>
        Interlocked.Read(ref _firstSentUtcTicks) is > 0 and var ticks ? (new DateTimeOffset(ticks, TimeSpan.Zero), Interlocked.Read(ref _firstBatchCount)) : null;

    /// <summary>When the last batch so far was acknowledged; null before the first.</summary>
    public DateTimeOffset? LastSent =>
        Interlocked.Read(ref _lastSentUtcTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    internal void OnCreated() => Interlocked.Increment(ref _created);

    internal void OnStreamTrimmed(long length, bool held)
    {
        LastStreamLength = length;
        StreamRetentionHeld = held;
    }

    internal void OnSent(int count, DateTimeOffset at)
    {
        Interlocked.Add(ref _sent, count);
        if (Interlocked.CompareExchange(ref _firstSentUtcTicks, at.UtcTicks, 0) == 0)
        {
            Interlocked.Exchange(ref _firstBatchCount, count);
        }

        Interlocked.Exchange(ref _lastSentUtcTicks, at.UtcTicks);
    }

    internal void OnRetry() => Interlocked.Increment(ref _retries);

    internal void OnUnsent(int count) => Interlocked.Add(ref _unsent, count);
}
