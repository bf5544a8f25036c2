namespace PubSubDemo.Publisher.Sending;

/// <summary>Counters the summary line and the monitor read; written by the sender, read from any thread.</summary>
public sealed class PublisherStats
{
    private long _created;
    private long _sent;
    private long _retries;
    private long _unsent;

    public long Created => Interlocked.Read(ref _created);

    /// <summary>Messages that reached every destination PATTERN names.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Messages given up at shutdown because the server did not come back in time (logged with their ids).</summary>
    public long Unsent => Interlocked.Read(ref _unsent);

    public long LastQueueLength { get; set; } = -1;

    public long LastReceivers { get; set; } = -1;

    public long Buffered => Created - Sent - Unsent;

    internal void OnCreated() => Interlocked.Increment(ref _created);

    internal void OnSent(int count) => Interlocked.Add(ref _sent, count);

    internal void OnRetry() => Interlocked.Increment(ref _retries);

    internal void OnUnsent(int count) => Interlocked.Add(ref _unsent, count);
}
