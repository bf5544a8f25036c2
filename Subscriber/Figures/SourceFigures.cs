using PubSubDemo.Messaging;

namespace PubSubDemo.Subscriber.Figures;

/// <summary>
/// What the demo's reports know of one source (channel, queue or stream), fed by the engine's outcomes
/// (<see cref="SubscriberFigures"/> observes them): counts, the latency distribution, when the first and last messages
/// were handled, the senders' sequences and the backlog. The summary, the monitor report and the STATS_FILE all read
/// these same numbers. Thread-safe; an outcome costs an interlocked add, a handled message a histogram record besides.
/// </summary>
internal sealed class SourceFigures(MessageSource source, ServerBacklog server, LatencyHistogram latency) : OutcomeCounts
{
    private long _firstHandledTicks;
    private long _lastHandledTicks;

    public MessageSource Source { get; } = source;

    /// <summary>The source as log lines, tags and reports name it: channel, queue or stream.</summary>
    public string Name { get; } = source.ToString().ToLowerInvariant();

    public long DeadLettered => Of(MessageOutcome.DeadLettered);

    /// <summary>Stream entries that vanished on the server (trimmed or deleted) before they could be handled.</summary>
    public long Lost => Of(MessageOutcome.Lost);

    /// <summary>Times the server closed the subscription while messages were arriving (likely its output-buffer limit).</summary>
    public long SlowDisconnects => Of(MessageOutcome.Disconnected);

    /// <summary>DEDUPE: deliveries whose id was already handled, acknowledged without applying anything again.</summary>
    public long Duplicate => Of(MessageOutcome.Duplicate);

    /// <summary>Failed queue items or stream entries put in the due set for a later attempt (RETRY_BACKOFF).</summary>
    public long Retried => Of(MessageOutcome.Retried);

    /// <summary>Deliveries not due yet (<c>notBefore</c>, DELAY) that waited for their due time.</summary>
    public long Delayed => Of(MessageOutcome.Deferred);

    /// <summary>End-to-end latency of the handled messages, taken when the handler completed.</summary>
    public LatencyHistogram Latency { get; } = latency;

    /// <summary>When the first message was handled (the clock read the latency took), or null before that.</summary>
    public DateTimeOffset? FirstHandledAt => At(Interlocked.Read(ref _firstHandledTicks));

    /// <summary>When the latest message was handled, or null before the first.</summary>
    public DateTimeOffset? LastHandledAt => At(Interlocked.Read(ref _lastHandledTicks));

    /// <summary>Gaps, duplicates and reorders per sender; followed on the channel only, where loss is possible.</summary>
    public SequenceTracker Sequences { get; } = new();

    /// <summary>What waits on the server for this source (queue length, stream lag, and the due set) as last polled; -1 when unknown.</summary>
    public long Backlog => Source switch
    {
        MessageSource.Queue => Plus(server.QueueLength, server.QueueDue),
        MessageSource.Stream => Plus(server.StreamLag, server.StreamDue),
        _ => -1,
    };

    /// <summary>The part of <see cref="Backlog"/> that waits in the due set (retries, delayed messages); -1 when unknown.</summary>
    public long DueLater => Source switch
    {
        MessageSource.Queue => server.QueueDue,
        MessageSource.Stream => server.StreamDue,
        _ => -1,
    };

    public bool Active => Received > 0 || Backlog > 0 || Dropped > 0;

    /// <summary>Counts one outcome the engine reported (a handled one with its latency and moment).</summary>
    internal void On(in MessageEvent message)
    {
        if (message is { Outcome: MessageOutcome.Handled, Latency: { } latency, HandledAt: { } at })
        {
            OnHandled(latency, at);
        }
        else
        {
            Add(message.Outcome, message.Count);
        }
    }

    /// <summary>The handler completed <paramref name="latency"/> after the publisher stamped the message, at <paramref name="at"/>.</summary>
    internal void OnHandled(TimeSpan latency, DateTimeOffset at)
    {
        // The moment is written before the count, so a reader that sees the count sees a moment at least as late.
        // The first is set once: a plain read keeps the compare-exchange (a locked instruction) off every later message.
        if (Volatile.Read(ref _firstHandledTicks) == 0)
        {
            Interlocked.CompareExchange(ref _firstHandledTicks, at.UtcTicks, 0);
        }

        Volatile.Write(ref _lastHandledTicks, at.UtcTicks);
        Add(MessageOutcome.Handled);
        Latency.Record(latency);
    }

    /// <summary>A sum of two server figures: unknown (-1) when the first is; a due set not read yet counts as empty.</summary>
    private static long Plus(long waiting, long due) => waiting < 0 ? -1 : waiting + Math.Max(due, 0);

    private static DateTimeOffset? At(long utcTicks) => utcTicks == 0 ? null : new DateTimeOffset(utcTicks, TimeSpan.Zero);
}
