using PubSubDemo.Messaging;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>
/// What only the server knows about this subscriber's backlog, as the engine last read it and told its observers
/// (<see cref="IMessagingObserver.OnBacklog"/>); -1 until known. Read by the summary and the monitor report, from any thread.
/// </summary>
internal sealed class ServerBacklog
{
    private long _queueLength = -1;
    private long _processingLength = -1;
    private long _streamLag = -1;
    private long _queueDeadLetters = -1;
    private long _streamDeadLetters = -1;
    private long _queueDue = -1;
    private long _streamDue = -1;

    public long QueueLength => Volatile.Read(ref _queueLength);

    /// <summary>This consumer's in-flight queue items.</summary>
    public long ProcessingLength => Volatile.Read(ref _processingLength);

    /// <summary>Stream entries not yet delivered to the consumer group.</summary>
    public long StreamLag => Volatile.Read(ref _streamLag);

    public long QueueDeadLetters => Volatile.Read(ref _queueDeadLetters);

    public long StreamDeadLetters => Volatile.Read(ref _streamDeadLetters);

    /// <summary>Queue items waiting in the due set (a retry's backoff, a delayed message's due time).</summary>
    public long QueueDue => Volatile.Read(ref _queueDue);

    /// <summary>Stream entries of our group waiting in its due set.</summary>
    public long StreamDue => Volatile.Read(ref _streamDue);

    /// <summary>One reading of a queue's or a stream's backlog; the due set is written first, as the engine reads it first.</summary>
    public void On(in BacklogEvent backlog)
    {
        if (backlog.Source == MessageSource.Queue)
        {
            Volatile.Write(ref _queueDue, backlog.Due);
            Volatile.Write(ref _queueLength, backlog.Waiting);
            Volatile.Write(ref _processingLength, backlog.InProgress);
            Volatile.Write(ref _queueDeadLetters, backlog.DeadLetters);
        }
        else if (backlog.Source == MessageSource.Stream)
        {
            Volatile.Write(ref _streamDue, backlog.Due);
            Volatile.Write(ref _streamLag, backlog.Waiting);
            Volatile.Write(ref _streamDeadLetters, backlog.DeadLetters);
        }
    }
}
