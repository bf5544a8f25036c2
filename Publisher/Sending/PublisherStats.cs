using PubSubDemo.Messaging;

namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// The publisher's counters, which the summary lines, the STATS_FILE, the monitor report and the metrics read, from any
/// thread. Fed through the library's public seam (<see cref="IProducerObserver"/>: taken, sent, retried, given up,
/// trimmed) and by the generator (<see cref="OnCreated"/>); nothing on the engine's side knows the demo counts.
/// </summary>
internal sealed class PublisherStats(TimeProvider time) : IProducerObserver
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

    /// <summary>Batches sent again after a server error.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Messages given up at shutdown because the server did not come back in time (logged with their ids).</summary>
    public long Unsent => Interlocked.Read(ref _unsent);

    public long LastQueueLength { get; set; } = -1;

    public long LastReceivers { get; set; } = -1;

    /// <summary>Size of a payload sent last, in bytes (the last batch's mean: the demo's payloads differ only in their sequence digits).</summary>
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

    public void OnSend(in ProducerEvent send)
    {
        switch (send.Outcome)
        {
            case ProducerOutcome.Taken when send.Receivers is { } receivers:
                LastReceivers = receivers;
                break;
            case ProducerOutcome.Taken when send.Length is { } length:
                LastQueueLength = length;
                break;
            case ProducerOutcome.Sent:
                LastPayloadBytes = send.Bytes / Math.Max(send.Count, 1);
                OnSent(send.Count, time.GetUtcNow());
                break;
            case ProducerOutcome.Retried:
                Interlocked.Increment(ref _retries);
                break;
            case ProducerOutcome.GivenUp:
                Interlocked.Add(ref _unsent, send.Count);
                break;
            case ProducerOutcome.Trimmed:
                LastStreamLength = send.Length ?? -1;
                StreamRetentionHeld = send.RetentionHeld;
                break;
        }
    }

    internal void OnCreated() => Interlocked.Increment(ref _created);

    private void OnSent(int count, DateTimeOffset at)
    {
        Interlocked.Add(ref _sent, count);
        if (Interlocked.CompareExchange(ref _firstSentUtcTicks, at.UtcTicks, 0) == 0)
        {
            Interlocked.Exchange(ref _firstBatchCount, count);
        }

        Interlocked.Exchange(ref _lastSentUtcTicks, at.UtcTicks);
    }
}
