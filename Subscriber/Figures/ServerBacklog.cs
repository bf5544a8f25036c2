using PubSubDemo.Messaging;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>
/// What only the server knows about this subscriber's backlog, as the engine last read it and told its observers
/// (<see cref="IMessagingObserver.OnBacklog"/>); -1 until known. Each reading replaces the last one whole (one small
/// object a second per source, never one per message), so a reader on any thread sees the figures of one reading.
/// </summary>
internal sealed class ServerBacklog
{
    private static readonly Reading Unknown = new(new BacklogEvent(MessageSource.Queue, "", -1, -1, -1, -1));

    private Reading _queue = Unknown;
    private Reading _stream = Unknown;

    public long QueueLength => Volatile.Read(ref _queue).Value.Waiting;

    /// <summary>This consumer's in-flight queue items.</summary>
    public long ProcessingLength => Volatile.Read(ref _queue).Value.InProgress;

    /// <summary>Queue items waiting in the due set (a retry's backoff, a delayed message's due time).</summary>
    public long QueueDue => Volatile.Read(ref _queue).Value.Due;

    public long QueueDeadLetters => Volatile.Read(ref _queue).Value.DeadLetters;

    /// <summary>Stream entries not yet delivered to the consumer group.</summary>
    public long StreamLag => Volatile.Read(ref _stream).Value.Waiting;

    /// <summary>Stream entries of our group waiting in its due set.</summary>
    public long StreamDue => Volatile.Read(ref _stream).Value.Due;

    public long StreamDeadLetters => Volatile.Read(ref _stream).Value.DeadLetters;

    /// <summary>One reading of the queue's or the stream's backlog.</summary>
    public void On(in BacklogEvent backlog)
    {
        if (backlog.Source == MessageSource.Queue)
        {
            Volatile.Write(ref _queue, new Reading(backlog));
        }
        else if (backlog.Source == MessageSource.Stream)
        {
            Volatile.Write(ref _stream, new Reading(backlog));
        }
    }

    private sealed record Reading(BacklogEvent Value);
}
