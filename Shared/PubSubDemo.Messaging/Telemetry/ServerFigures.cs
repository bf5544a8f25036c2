namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// What only the server knows about this subscriber's backlog, as the <see cref="BacklogPoller"/> last read it;
/// -1 until known. Read by the summary, the monitor report and the gauges, from any thread.
/// </summary>
internal sealed class ServerFigures
{
    private long _queueLength = -1;
    private long _processingLength = -1;
    private long _streamLag = -1;
    private long _queueDeadLetters = -1;
    private long _streamDeadLetters = -1;
    private long _queueDue = -1;
    private long _streamDue = -1;

    public long QueueLength { get => Volatile.Read(ref _queueLength); internal set => Volatile.Write(ref _queueLength, value); }

    /// <summary>This consumer's in-flight queue items.</summary>
    public long ProcessingLength { get => Volatile.Read(ref _processingLength); internal set => Volatile.Write(ref _processingLength, value); }

    /// <summary>Stream entries not yet delivered to the consumer group.</summary>
    public long StreamLag { get => Volatile.Read(ref _streamLag); internal set => Volatile.Write(ref _streamLag, value); }

    public long QueueDeadLetters { get => Volatile.Read(ref _queueDeadLetters); internal set => Volatile.Write(ref _queueDeadLetters, value); }

    public long StreamDeadLetters { get => Volatile.Read(ref _streamDeadLetters); internal set => Volatile.Write(ref _streamDeadLetters, value); }

    /// <summary>Queue items waiting in the due set (a retry's backoff, a delayed message's due time).</summary>
    public long QueueDue { get => Volatile.Read(ref _queueDue); internal set => Volatile.Write(ref _queueDue, value); }

    /// <summary>Stream entries of our group waiting in its due set.</summary>
    public long StreamDue { get => Volatile.Read(ref _streamDue); internal set => Volatile.Write(ref _streamDue, value); }
}
