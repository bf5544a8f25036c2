using System.Diagnostics.Metrics;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// The telemetry sink of one source (channel, queue or stream). The <see cref="MessageProcessor"/> reports each
/// outcome here once; the summary, the totals, the monitor report, the OpenTelemetry instruments and the STATS_FILE
/// all read these same numbers. Thread-safe; an outcome costs an interlocked add, a handled message one histogram
/// record besides.
/// </summary>
internal sealed class SourceTelemetry
{
    private readonly ServerFigures _server;
    private readonly Histogram<double> _latencyInstrument;
    private readonly KeyValuePair<string, object?> _tag;
    private long _received;
    private long _handled;
    private long _malformed;
    private long _failed;
    private long _deadLettered;
    private long _dropped;
    private long _lost;
    private long _duplicate;
    private long _filtered;
    private long _retried;
    private long _delayed;
    private long _slowDisconnects;
    private long _firstHandledTicks;
    private long _lastHandledTicks;

    private readonly IMessagingObserver[] _observers;
    private readonly string _destination;

    internal SourceTelemetry(MessageSource source, ServerFigures server, Histogram<double> latencyInstrument, LatencyHistogram latency, string destination = "", IMessagingObserver[]? observers = null)
    {
        _observers = observers ?? [];
        _destination = destination;
        Source = source;
        Name = source.ToString().ToLowerInvariant();
        _server = server;
        _latencyInstrument = latencyInstrument;
        _tag = new("source", Name);
        Latency = latency;
    }

    public MessageSource Source { get; }

    /// <summary>The source as log lines, tags and reports name it: channel, queue or stream.</summary>
    public string Name { get; }

    /// <summary>Everything that arrived, well-formed or not.</summary>
    public long Received => Interlocked.Read(ref _received);

    public long Handled => Interlocked.Read(ref _handled);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long Failed => Interlocked.Read(ref _failed);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Channel messages dropped because the in-process buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Stream entries that vanished on the server (trimmed or deleted) before they could be handled.</summary>
    public long Lost => Interlocked.Read(ref _lost);
    /// <summary>Times the server closed the subscription while messages were arriving (likely its output-buffer limit).</summary>
    public long SlowDisconnects => Interlocked.Read(ref _slowDisconnects);

    /// <summary>DEDUPE: deliveries whose id was already handled, acknowledged without applying anything again.</summary>
    public long Duplicate => Interlocked.Read(ref _duplicate);
    /// <summary>Messages FILTER kept from the handler (acknowledged on the queue and the stream, never dead-lettered).</summary>
    public long Filtered => Interlocked.Read(ref _filtered);

    /// <summary>Failed queue items or stream entries put in the due set for a later attempt (RETRY_BACKOFF).</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Deliveries not due yet (<c>notBefore</c>, DELAY) that waited for their due time.</summary>
    public long Delayed => Interlocked.Read(ref _delayed);

    /// <summary>End-to-end latency of the handled messages, taken when the handler completed.</summary>
    public LatencyHistogram Latency { get; }

    /// <summary>When the first message was handled (the clock read the latency took), or null before that.</summary>
    public DateTimeOffset? FirstHandledAt => At(Interlocked.Read(ref _firstHandledTicks));

    /// <summary>When the latest message was handled, or null before the first.</summary>
    public DateTimeOffset? LastHandledAt => At(Interlocked.Read(ref _lastHandledTicks));

    /// <summary>Gaps, duplicates and reorders per sender; followed on the channel only, where loss is possible.</summary>
    public SequenceTracker Sequences { get; } = new();

    /// <summary>What waits on the server for this source (queue length, stream lag, and the due set) as last polled; -1 when unknown.</summary>
    public long Backlog => Source switch
    {
        MessageSource.Queue => Plus(_server.QueueLength, _server.QueueDue),
        MessageSource.Stream => Plus(_server.StreamLag, _server.StreamDue),
        _ => -1,
    };

    /// <summary>The part of <see cref="Backlog"/> that waits in the due set (retries, delayed messages); -1 when unknown.</summary>
    public long DueLater => Source switch
    {
        MessageSource.Queue => _server.QueueDue,
        MessageSource.Stream => _server.StreamDue,
        _ => -1,
    };

    public bool Active => Received > 0 || Backlog > 0 || Dropped > 0;

    internal void OnReceived() => Count(ref _received, MessageOutcome.Received);

    /// <summary>The handler completed <paramref name="latency"/> after the publisher stamped the message, at <paramref name="at"/>.</summary>
    internal void OnHandled(TimeSpan latency, DateTimeOffset at)
    {
        // The moment is written before the count, so a reader that sees the count sees a moment at least as late.
        Interlocked.CompareExchange(ref _firstHandledTicks, at.UtcTicks, 0);
        Volatile.Write(ref _lastHandledTicks, at.UtcTicks);
        Interlocked.Increment(ref _handled);
        Latency.Record(latency);
        _latencyInstrument.Record(latency.TotalSeconds, _tag);
        Notify(MessageOutcome.Handled, 1, latency);
    }

    private void Count(ref long field, MessageOutcome outcome, int count = 1)
    {
        Interlocked.Add(ref field, count);
        Notify(outcome, count);
    }

    /// <summary>The observers registered in DI see the outcome once, after it is counted here; none registered costs a length check.</summary>
    private void Notify(MessageOutcome outcome, int count, TimeSpan? latency = null)
    {
        if (_observers.Length == 0)
        {
            return;
        }

        var message = new MessageEvent(Source, _destination, outcome, count, latency);
        foreach (var observer in _observers)
        {
            observer.OnMessage(in message);
        }
    }

    internal void OnMalformed() => Count(ref _malformed, MessageOutcome.Malformed);

    internal void OnFailed() => Count(ref _failed, MessageOutcome.Failed);

    internal void OnDeadLettered(int count) => Count(ref _deadLettered, MessageOutcome.DeadLettered, count);

    internal void OnDropped() => Count(ref _dropped, MessageOutcome.Dropped);

    internal void OnLost() => Count(ref _lost, MessageOutcome.Lost);

    internal void OnDuplicate() => Count(ref _duplicate, MessageOutcome.Duplicate);

    internal void OnFiltered() => Count(ref _filtered, MessageOutcome.Filtered);

    internal void OnRetried(int count) => Count(ref _retried, MessageOutcome.Retried, count);

    internal void OnDelayed(int count) => Count(ref _delayed, MessageOutcome.Deferred, count);

    /// <summary>A sum of two server figures: unknown (-1) when the first is; a due set not read yet counts as empty.</summary>
    private static long Plus(long waiting, long due) => waiting < 0 ? -1 : waiting + Math.Max(due, 0);
    internal void OnSlowDisconnect() => Interlocked.Increment(ref _slowDisconnects);

    private static DateTimeOffset? At(long utcTicks) => utcTicks == 0 ? null : new DateTimeOffset(utcTicks, TimeSpan.Zero);
}
